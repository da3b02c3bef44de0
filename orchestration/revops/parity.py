"""Engine parity: build the same raw files on DuckDB and on another engine, and compare the marts.

The other engines (revops.postgres, revops.spark) each provide a context manager that yields an engine with
``name``, ``load(landing_db)`` (copy the DuckDB-landed raw tables in), ``build(dbt_args)``, ``prepare(tables)``
and ``fetch(table, columns)``; everything else (the sample, the DuckDB build, the comparison) is shared here.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import duckdb

from revops.build import BuildResult, run_dbt
from revops.load import load_all

# Schemas whose tables must be equal on every engine: the marts people read, and the quality accounting.
COMPARED_SCHEMAS = ("marts", "quality")
# Numbers may differ by this much (absolute): DuckDB divides in binary floating point where PostgreSQL's
# numeric is exact, so a ratio rounded to the cent can land one cent apart on a half.
TOLERANCE = 0.011

# Both engines resolve identities with the same deterministic SQL rules and forecast with the same SQL model,
# so the comparison tests the models' portability (splink runs as a dbt Python model on DuckDB only).
PARITY_VARS = "{identity_engine: sql, forecast_engine: sql}"


class Engine(Protocol):
    name: str

    def load(self, landing_db: Path) -> None: ...

    def build(self, args: list[str]) -> BuildResult: ...

    def prepare(self, tables: list[str]) -> None: ...

    def fetch(self, table: str, columns: list[str]) -> list[tuple]: ...


@dataclass
class ParityReport:
    engine: str = ""
    compared: list[str] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)
    duckdb_build_s: float = 0.0
    other_build_s: float = 0.0


def engine_context(name: str, workdir: Path) -> contextlib.AbstractContextManager[Engine]:
    """The engine named ``name`` (postgres: a throwaway local server; spark: a local session warehouse)."""
    if name == "postgres":
        from revops.postgres import postgres_engine

        return postgres_engine(workdir)
    if name == "spark":
        from revops.spark import check_spark, spark_engine

        check_spark()  # before the DuckDB build: a missing Java or pyspark is said at once
        return spark_engine(workdir)
    raise ValueError(f"unknown engine {name!r}: postgres or spark")


def _tables(database: Path) -> list[str]:
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            f"where table_schema in ({', '.join(repr(s) for s in COMPARED_SCHEMAS)}) and table_type = 'BASE TABLE' "
            "order by 1"
        ).fetchall()
    return [r[0] for r in rows]


def run_parity(engine: str = "postgres", raw_dir: Path | None = None, scale: float = 0.3,
               select: list[str] | None = None, workdir: Path | None = None,
               log: Callable[[str], None] = lambda _: None,
               on_server: Callable[[Any], None] | None = None) -> ParityReport:
    """DuckDB build and ``engine`` build of the same raw files; every mart and quality table compared.

    ``on_server`` is called with the engine's handle after its build (the PostgreSQL server: tests inspect
    grants there)."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix=f"revops-parity-{engine}-"))
    other_engine = engine_context(engine, workdir)
    if raw_dir is None:
        from revops.generator import generate

        raw_dir = workdir / "raw"
        log(f"generating a sample company at scale {scale} in {raw_dir}")
        generate(raw_dir, workdir / "ground_truth", seed=42, scale=scale, fmt="csv")
    report = ParityReport(engine=engine)
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

    with other_engine as other:
        log(f"loading the landed raw tables into {engine}")
        other.load(duck_db)
        log(f"building on {engine}")
        # The unit tests run on DuckDB (make test) and PostgreSQL; dbt-spark's session method does not run them,
        # so on Spark the built marts are compared only.
        built = other.build(args + (["--exclude", "test_type:unit"] if engine == "spark" else []))
        if built.returncode != 0:
            report.problems[f"{engine} build"] = "\n".join(built.failures[:10])
            log(f"{engine} build failed:\n{report.problems[f'{engine} build']}")
            return report
        report.other_build_s = built.elapsed_s
        report.compared = _tables(duck_db)
        log(f"comparing {len(report.compared)} tables")
        other.prepare(report.compared)
        report.problems.update(compare_tables(duck_db, other, report.compared))
        if on_server:
            on_server(getattr(other, "server", other))
    for table in report.compared:
        log(f"  {'DIFFERS' if table in report.problems else 'equal  '} {table}")
    for table, problem in report.problems.items():
        log(f"{table}: {problem}")
    log(f"duckdb build {report.duckdb_build_s:.0f} s, {engine} build {report.other_build_s:.0f} s; "
        f"{len(report.compared) - len(report.problems)}/{len(report.compared)} tables equal")
    return report


def compare_tables(duck_db: Path, other: Engine, tables: list[str], tolerance: float = TOLERANCE) -> dict[str, str]:
    """Compare tables row by row; returns table -> problem, empty if equal.

    Rows are paired in sorted order; text, dates and integers must be identical, numbers equal within
    ``tolerance`` (absolute, or relative 1e-9 for large values)."""
    problems: dict[str, str] = {}
    with duckdb.connect(str(duck_db), read_only=True) as duck:
        for table in tables:
            schema, name = table.split(".")
            columns = [r[0] for r in duck.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                "order by ordinal_position", [schema, name]).fetchall()]
            left = _normalise(duck.execute(f"select {', '.join(columns)} from {table}").fetchall())
            right = _normalise(other.fetch(table, columns))
            if len(left) != len(right):
                problems[table] = f"{len(left)} rows on duckdb vs {len(right)} on {other.name}"
                continue
            differing = [(a, b) for a, b in zip(left, right) if not _rows_equal(a, b, tolerance)]
            if differing:
                problems[table] = (f"{len(differing)} of {len(left)} rows differ; first: duckdb {differing[0][0]} "
                                   f"vs {other.name} {differing[0][1]}")
    return problems


def _normalise(rows: list[tuple]) -> list[tuple]:
    def norm(value):
        if isinstance(value, (float, Decimal)):
            return float(value)
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value

    def sort_key(row: tuple) -> str:
        return repr(tuple(round(v) if isinstance(v, float) else v for v in row))

    return sorted((tuple(norm(v) for v in row) for row in rows), key=sort_key)


def _rows_equal(left: tuple, right: tuple, tolerance: float) -> bool:
    for a, b in zip(left, right):
        if isinstance(a, float) and isinstance(b, float):
            if abs(a - b) > max(tolerance, 1e-9 * max(abs(a), abs(b))):
                return False
        elif a != b:
            return False
    return True


def parity_cli(engine: str, doc: str | None, argv: list[str] | None = None,
               commands: dict[str, tuple[str, Callable[[], int]]] | None = None) -> int:
    """``python -m revops.<engine> parity``: the shared command line of the engine modules; ``commands`` adds an
    engine's own subcommands without options (name -> (help, function returning the exit code))."""
    parser = argparse.ArgumentParser(prog=f"python -m revops.{engine}", description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    parity = sub.add_parser("parity", help=f"build the same raw files on DuckDB and on {engine}, compare every "
                                           "mart and quality table")
    parity.add_argument("--raw-dir", type=Path, help="raw folder (default: a fresh sample at --scale)")
    parity.add_argument("--scale", type=float, default=0.3)
    parity.add_argument("--select", nargs="*", default=None, help="dbt selection (default: everything)")
    parity.add_argument("--workdir", type=Path, default=None,
                        help="scratch folder, kept (default: a new temp folder, removed when every table is equal)")
    for name, (help_text, run) in (commands or {}).items():
        sub.add_parser(name, help=help_text, description=help_text).set_defaults(run=run)
    args = parser.parse_args(argv)
    if args.command != "parity":
        return args.run()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix=f"revops-parity-{engine}-"))
    workdir.mkdir(parents=True, exist_ok=True)
    report = run_parity(engine, raw_dir=args.raw_dir, scale=args.scale, select=args.select, workdir=workdir,
                        log=print)
    if args.workdir is None and not report.problems:
        shutil.rmtree(workdir, ignore_errors=True)  # a few hundred MB of builds nobody needs once they agree
    elif args.workdir is None:
        print(f"files kept for inspection in {workdir} (builds, dbt targets, the sample)")
    return 0 if not report.problems else 1
