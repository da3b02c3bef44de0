"""Run dbt and read what it did: the plain-Python side of the main job (no Dagster here)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from revops.settings import PROJECT_DIR

LAYER_SCHEMAS = {
    "raw": "raw_%",
    "staging": "staging",
    "intermediate": "intermediate",
    "marts": "marts",
    "quality": "quality",
}


class BuildError(RuntimeError):
    """dbt ended with errors; the message lists the failed nodes."""


@dataclass
class BuildResult:
    returncode: int
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0


def dbt_executable() -> str:
    """The dbt of the running interpreter's environment (the project's .venv), else the one on PATH."""
    candidate = Path(sys.executable).parent / "dbt"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbt")
    if not found:
        raise FileNotFoundError("dbt not found: run `make install` (it creates .venv from uv.lock)")
    return found


def run_dbt(args: list[str], target_path: Path | None = None, env: dict[str, str] | None = None,
            quiet: bool = False) -> BuildResult:
    """Run ``dbt <args>`` in the project, streaming its log, and summarise run_results.json."""
    target_path = target_path or PROJECT_DIR / "target"
    cmd = [dbt_executable(), *args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
           "--target-path", str(target_path)]
    full_env = {**os.environ, "DO_NOT_TRACK": "1", **(env or {})}
    completed = subprocess.run(
        cmd, cwd=PROJECT_DIR, env=full_env, text=True,
        stdout=subprocess.PIPE if quiet else None, stderr=subprocess.STDOUT if quiet else None,
    )
    result = BuildResult(returncode=completed.returncode)
    results_file = target_path / "run_results.json"
    if results_file.exists():
        data = json.loads(results_file.read_text())
        result.elapsed_s = float(data.get("elapsed_time") or 0.0)
        for node in data.get("results", []):
            kind = node["unique_id"].split(".")[0]
            status = node["status"]
            result.statuses[(kind, status)] += 1
            if status in ("error", "fail"):
                result.failures.append(f"{node['unique_id']}: {(node.get('message') or '').strip()[:300]}")
    if completed.returncode != 0 and quiet and completed.stdout:
        result.failures.append(completed.stdout[-3000:])
    return result


def rows_per_layer(database: Path) -> dict[str, tuple[int, int]]:
    """Layer -> (relations, rows) in the DuckDB warehouse."""
    out: dict[str, tuple[int, int]] = {}
    with duckdb.connect(str(database), read_only=True) as con:
        for layer, pattern in LAYER_SCHEMAS.items():
            relations = con.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema like ? and table_name not like 'base\\_%' escape '\\' "
                "order by 1, 2",
                [pattern],
            ).fetchall()
            rows = 0
            for schema, name in relations:
                rows += con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
            out[layer] = (len(relations), rows)
    return out


def quarantine_by_reason(database: Path) -> list[tuple[str, str, str, int]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            "select source_system, source_table, reason_code, count(*) from quality.raw_quarantine "
            "group by all order by 4 desc, 1, 2, 3"
        ).fetchall()


def accounting_unbalanced(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute("select * from quality.raw_row_accounting where not is_balanced").fetchall()
