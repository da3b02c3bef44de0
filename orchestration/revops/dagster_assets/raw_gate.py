"""The raw gate and the raw-file fingerprint. Plain Python (no Dagster), called by the Dagster layer.

The gate runs on every landed raw table before dbt reads it; a failure stops the downstream models.
It checks what the loader cannot decide file by file: the table is there with every contract column, and
it is not mostly garbage (records the loader could not parse, rows without a key).

The Great Expectations raw suites (``revops.quality``) run beside it as the blocking check ``gx_raw``
(``revops.dagster_assets.raw.gx_raw_check``); this module stays the cheap structural check.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from revops.contract import RawTable
from revops.load import file_kind, table_of_file

# Above this share of records that could not be parsed (raw_meta.load_rejects), the export is broken
# (wrong delimiter, truncated file, another table's file), not merely messy: stop before dbt reads it.
MAX_REJECTED_SHARE = 0.5
# Above this share of rows whose key column is empty, the columns are shifted or mislabelled.
MAX_NULL_KEY_SHARE = 0.5


@dataclass
class GateResult:
    table: str
    passed: bool
    rows: int = 0
    rejected: int = 0
    null_key_rows: int = 0
    problems: list[str] = field(default_factory=list)


def check_landed_table(con: duckdb.DuckDBPyConnection, table: RawTable) -> GateResult:
    """Check the landed table ``raw_<system>.<table>`` against the contract; problems say what to do."""
    result = GateResult(table=f"{table.schema}.{table.table}", passed=True)
    landed = [
        r[0].lower()
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [table.schema, table.table],
        ).fetchall()
    ]
    if not landed:
        result.passed = False
        result.problems.append(
            f"{result.table}: table not found in the warehouse; materialise raw/{table.system}/{table.table} "
            "(it loads the raw files) before checking it."
        )
        return result
    missing = [c for c in table.columns if c not in landed]
    if missing:
        result.passed = False
        result.problems.append(
            f"{result.table}: contract column(s) {', '.join(missing)} missing from the landed table; "
            "reload it from a file whose header has them."
        )
        return result

    result.rows = con.execute(f'select count(*) from {table.schema}."{table.table}"').fetchone()[0]
    has_rejects = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'raw_meta' and table_name = 'load_rejects'"
    ).fetchone()[0]
    if has_rejects:
        result.rejected = con.execute(
            "select count(*) from raw_meta.load_rejects where source_system = ? and source_table = ?",
            [table.system, table.table],
        ).fetchone()[0]
    records = result.rows + result.rejected
    if records and result.rejected / records > MAX_REJECTED_SHARE:
        result.passed = False
        result.problems.append(
            f"{result.table}: {result.rejected} of {records} records could not be parsed "
            f"(more than {MAX_REJECTED_SHARE:.0%}); see raw_meta.load_rejects for file, line and reason, "
            "and fix or re-export the file."
        )
    key = table.primary_key[0]
    result.null_key_rows = con.execute(
        f'select count(*) from {table.schema}."{table.table}" where nullif(trim("{key}"), \'\') is null'
    ).fetchone()[0]
    if result.rows and result.null_key_rows / result.rows > MAX_NULL_KEY_SHARE:
        result.passed = False
        result.problems.append(
            f"{result.table}: key column '{key}' is empty in {result.null_key_rows} of {result.rows} rows "
            f"(more than {MAX_NULL_KEY_SHARE:.0%}); the file's columns are probably shifted or mislabelled."
        )
    return result


def raw_fingerprint(raw_dir: Path) -> dict[str, list[float]]:
    """Every raw export file (.csv, .parquet, in any case) under ``raw_dir`` (relative path) -> [mtime, size]."""
    out: dict[str, list[float]] = {}
    if not raw_dir.is_dir():
        return out
    for root, _dirs, files in os.walk(raw_dir):
        for name in files:
            if file_kind(Path(name)):
                path = Path(root) / name
                stat = path.stat()
                out[str(path.relative_to(raw_dir))] = [stat.st_mtime, stat.st_size]
    return out


def changed_files(before: dict[str, list[float]], now: dict[str, list[float]]) -> list[str]:
    """Files new, changed (mtime or size) or removed between two fingerprints, sorted."""
    return sorted(p for p in set(before) | set(now) if before.get(p) != now.get(p))


def tables_of(files: list[str]) -> list[tuple[str, str]]:
    """(system, table) of raw file paths ``<system>/<table>.csv`` or ``<system>/<table>/part.csv``; a file
    elsewhere (in a folder below a table's, which the loader does not read) belongs to no table."""
    return sorted({place for f in files if (place := table_of_file(Path(f))) is not None})
