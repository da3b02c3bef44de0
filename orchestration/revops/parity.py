"""Engine parity: build the same raw files on DuckDB and on another engine, and compare the marts."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from revops.build import run_dbt
from revops.load import load_all
from revops.postgres import PgServer, compare_tables, load_raw_into_postgres, local_postgres

# Schemas whose tables must be equal on every engine: the marts people read, and the quality accounting.
COMPARED_SCHEMAS = ("marts", "quality")


@dataclass
class ParityReport:
    compared: list[str] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)
    duckdb_build_s: float = 0.0
    other_build_s: float = 0.0


def _tables(database: Path) -> list[str]:
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            f"where table_schema in ({', '.join(repr(s) for s in COMPARED_SCHEMAS)}) and table_type = 'BASE TABLE' "
            "order by 1"
        ).fetchall()
    return [r[0] for r in rows]


# Both engines resolve identities with the same deterministic SQL rules and forecast with the same SQL model,
# so the comparison tests the models'
# portability (splink runs as a dbt Python model on DuckDB only).
PARITY_VARS = "{identity_engine: sql, forecast_engine: sql}"


def run_parity(raw_dir: Path | None = None, scale: float = 0.3, select: list[str] | None = None,
               workdir: Path | None = None, log: Callable[[str], None] = lambda _: None,
               on_server: Callable[[PgServer], None] | None = None) -> ParityReport:
    """DuckDB build and PostgreSQL build of the same raw files; every mart and quality table compared.

    ``on_server`` is called with the running PostgreSQL server after its build (tests inspect grants there)."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix="revops-parity-"))
    if raw_dir is None:
        from revops.generator import generate

        raw_dir = workdir / "raw"
        log(f"generating a sample company at scale {scale} in {raw_dir}")
        generate(raw_dir, workdir / "ground_truth", seed=42, scale=scale, fmt="csv")
    report = ParityReport()
    duck_db = workdir / "duckdb.duckdb"
    args = ["build", "--vars", PARITY_VARS] + (["--select", *select, "--indirect-selection", "cautious"] if select else [])

    log("building on DuckDB")
    load_all(raw_dir, duck_db, progress=False)
    duck = run_dbt(args, target_path=workdir / "target-duckdb", env={"REVOPS_DUCKDB_PATH": str(duck_db)}, quiet=True)
    if duck.returncode != 0:
        report.problems["duckdb build"] = "\n".join(duck.failures[:10])
        log(f"duckdb build failed:\n{report.problems['duckdb build']}")
        return report
    report.duckdb_build_s = duck.elapsed_s

    with local_postgres() as server:
        log(f"PostgreSQL on 127.0.0.1:{server.port}; loading raw files")
        load_raw_into_postgres(raw_dir, server, staging_db=workdir / "landing.duckdb")
        log("building on PostgreSQL")
        # dbt unit tests run on DuckDB (make test); on PostgreSQL the built marts are compared instead.
        pg = run_dbt(args + ["--exclude", "test_type:unit"], target_path=workdir / "target-postgres",
                     env=server.env, quiet=True)
        if pg.returncode != 0:
            report.problems["postgres build"] = "\n".join(pg.failures[:10])
            log(f"postgres build failed:\n{report.problems['postgres build']}")
            return report
        report.other_build_s = pg.elapsed_s
        report.compared = _tables(duck_db)
        log(f"comparing {len(report.compared)} tables")
        report.problems.update(compare_tables(duck_db, server, report.compared))
        if on_server:
            on_server(server)
    for table in report.compared:
        log(f"  {'DIFFERS' if table in report.problems else 'equal  '} {table}")
    for table, problem in report.problems.items():
        log(f"{table}: {problem}")
    log(f"duckdb build {report.duckdb_build_s:.0f} s, postgres build {report.other_build_s:.0f} s; "
        f"{len(report.compared) - len(report.problems)}/{len(report.compared)} tables equal")
    return report
