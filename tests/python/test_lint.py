"""sqlfluff (dbt templater, DuckDB dialect) is clean on every model and singular test, including the SQL models
that only other engines build (rendered with the vars that enable them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from revops.settings import PROJECT_DIR


def test_sqlfluff_lint_is_clean(tmp_path):
    sqlfluff = Path(sys.executable).parent / "sqlfluff"
    result = subprocess.run(
        [str(sqlfluff), "lint", "models", "tests/singular", "--disable-progress-bar"],
        cwd=PROJECT_DIR, capture_output=True, text=True,
        env={**__import__("os").environ, "REVOPS_DUCKDB_PATH": str(tmp_path / "lint.duckdb")},
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def sql_engine_models() -> list[str]:
    """The models DuckDB's default build disables: identity's SQL rules and the SQL-fallback forecast marts."""
    models = PROJECT_DIR / "models"
    return sorted(str(p.relative_to(PROJECT_DIR)) for p in
                  [*models.rglob("*_rules.sql"), *models.rglob("sql_fallback/*.sql")])


def test_sqlfluff_lint_is_clean_on_the_models_of_other_engines(tmp_path):
    files = sql_engine_models()
    assert len(files) >= 6, files  # four identity rules models, two forecast fallbacks
    sqlfluff = Path(sys.executable).parent / "sqlfluff"
    result = subprocess.run(
        [str(sqlfluff), "lint", "--config", ".sqlfluff-sql-engines", *files, "--disable-progress-bar"],
        cwd=PROJECT_DIR, capture_output=True, text=True,
        env={**__import__("os").environ, "REVOPS_DUCKDB_PATH": str(tmp_path / "lint.duckdb")},
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    # rendered, not skipped as disabled: sqlfluff says so for a disabled model
    assert "because it is disabled" not in result.stdout + result.stderr
