"""sqlfluff (dbt templater, DuckDB dialect) is clean on every model and singular test."""

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
