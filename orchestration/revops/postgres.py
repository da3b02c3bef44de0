"""The PostgreSQL target: a throwaway local server, raw files loaded into it, and a parity check with DuckDB.

    python -m revops.postgres parity     start PostgreSQL 15 on 127.0.0.1 in a temp dir, load the raw files,
                                         dbt build --target postgres, compare every KPI mart with DuckDB's

The raw files are parsed by the same DuckDB loader as the embedded default (so both engines see exactly the
same landed rows and rejects), then copied into PostgreSQL as text tables.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from revops.contract import raw_tables

PG_BIN_DIRS = ("/usr/local/bin", "/usr/lib/postgresql/15/bin")


@dataclass
class PgServer:
    host: str
    port: int
    user: str
    database: str
    data_dir: Path

    @property
    def env(self) -> dict[str, str]:
        return {
            "REVOPS_TARGET": "postgres",
            "REVOPS_PG_HOST": self.host,
            "REVOPS_PG_PORT": str(self.port),
            "REVOPS_PG_USER": self.user,
            "REVOPS_PG_DATABASE": self.database,
            "REVOPS_PG_PASSWORD": "",
        }

    def connect(self):
        import psycopg2

        return psycopg2.connect(host=self.host, port=self.port, user=self.user, dbname=self.database)


def _pg_tool(name: str) -> str:
    for folder in PG_BIN_DIRS:
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise FileNotFoundError(f"PostgreSQL tool {name!r} not found (looked in {', '.join(PG_BIN_DIRS)} and PATH)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres_user(cmd: list[str]) -> list[str]:
    """initdb refuses to run as root: run the server tools as the `postgres` user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@contextlib.contextmanager
def local_postgres(database: str = "revops", port: int | None = None) -> Iterator[PgServer]:
    """Start PostgreSQL on 127.0.0.1 in a temp dir; stop it and remove the dir on exit."""
    port = port or free_port()
    root = Path(tempfile.mkdtemp(prefix="revops-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    subprocess.run(
        _as_postgres_user([_pg_tool("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                           "--locale=C.UTF-8"]),
        check=True, capture_output=True,
    )
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root} -c fsync=off"
    subprocess.run(
        _as_postgres_user([_pg_tool("pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-o", options,
                           "-w", "start"]),
        check=True, capture_output=True,
    )
    try:
        subprocess.run([_pg_tool("psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-q", "-c",
                        f"create database {database}"], check=True, capture_output=True)
        yield PgServer("127.0.0.1", port, "postgres", database, data)
    finally:
        subprocess.run(_as_postgres_user([_pg_tool("pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def load_raw_into_postgres(raw_dir: Path, server: PgServer, staging_db: Path | None = None) -> dict[str, int]:
    """Parse the raw files with the DuckDB loader, then copy every raw table (as text) into PostgreSQL."""
    from revops.load import load_all

    staging_db = staging_db or Path(tempfile.mkdtemp(prefix="revops-pgload-")) / "landing.duckdb"
    load_all(raw_dir, staging_db, progress=False)
    counts: dict[str, int] = {}
    with duckdb.connect(str(staging_db), read_only=True) as duck, server.connect() as pg:
        pg.autocommit = True
        cur = pg.cursor()
        relations = [(t.schema, t.table) for t in raw_tables()] + [("raw_meta", "load_rejects")]
        for schema, table in relations:
            columns = duck.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position", [schema, table]
            ).fetchall()
            pg_columns = ", ".join(f'"{name}" {"bigint" if kind == "BIGINT" else "text"}' for name, kind in columns)
            cur.execute(f'create schema if not exists {schema}')
            cur.execute(f'drop table if exists {schema}."{table}"')
            cur.execute(f'create table {schema}."{table}" ({pg_columns})')
            buffer = io.StringIO()
            frame = duck.execute(f'select * from {schema}."{table}"').df()
            frame.to_csv(buffer, index=False, header=False)
            buffer.seek(0)
            cur.copy_expert(f'copy {schema}."{table}" from stdin with (format csv)', buffer)
            counts[f"{schema}.{table}"] = len(frame)
    return counts


def compare_tables(duck_db: Path, server: PgServer, tables: list[str], tolerance: float = 0.011) -> dict[str, str]:
    """Compare tables row by row; returns table -> problem, empty if equal.

    Rows are paired in key order; text, dates and integers must be identical, numbers equal within
    ``tolerance`` (absolute, or relative 1e-9 for large values): DuckDB divides in binary floating point where
    PostgreSQL's numeric is exact, so a ratio rounded to the cent can land one cent apart on a half."""
    problems: dict[str, str] = {}
    with duckdb.connect(str(duck_db), read_only=True) as duck, server.connect() as pg:
        cur = pg.cursor()
        for table in tables:
            schema, name = table.split(".")
            columns = [r[0] for r in duck.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                "order by ordinal_position", [schema, name]).fetchall()]
            select = f"select {', '.join(columns)} from {table}"
            left = _normalise(duck.execute(select).fetchall())
            cur.execute(select)
            right = _normalise(cur.fetchall())
            if len(left) != len(right):
                problems[table] = f"{len(left)} rows on duckdb vs {len(right)} on postgres"
                continue
            differing = [(a, b) for a, b in zip(left, right) if not _rows_equal(a, b, tolerance)]
            if differing:
                problems[table] = (f"{len(differing)} of {len(left)} rows differ; first: duckdb {differing[0][0]} "
                                   f"vs postgres {differing[0][1]}")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m revops.postgres", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["parity"])
    parser.add_argument("--raw-dir", type=Path, help="raw folder (default: a fresh sample at --scale)")
    parser.add_argument("--scale", type=float, default=0.3)
    parser.add_argument("--select", nargs="*", default=None, help="dbt selection (default: everything)")
    args = parser.parse_args(argv)
    from revops.parity import run_parity

    report = run_parity(raw_dir=args.raw_dir, scale=args.scale, select=args.select, log=print)
    return 0 if not report.problems else 1


if __name__ == "__main__":
    sys.exit(main())
