"""The PostgreSQL target: a throwaway local server, raw files loaded into it, and a parity check with DuckDB.

    python -m revops.postgres parity     start PostgreSQL 15 on 127.0.0.1 in a temp dir, load the raw files,
                                         dbt build --target postgres, compare every KPI mart with DuckDB's

The raw files are parsed by the same DuckDB loader as the embedded default (so both engines see exactly the
same landed rows and rejects), then copied into PostgreSQL as text tables.
"""

from __future__ import annotations

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
from pathlib import Path

import duckdb

from revops.build import BuildResult, run_dbt
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


def load_landed_into_postgres(landing_db: Path, server: PgServer) -> dict[str, int]:
    """Copy every raw table (as text) of a DuckDB landing database (revops.load.load_all) into PostgreSQL."""
    counts: dict[str, int] = {}
    with duckdb.connect(str(landing_db), read_only=True) as duck, server.connect() as pg:
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


class PostgresEngine:
    """The PostgreSQL side of revops.parity: a running local server."""

    name = "postgres"

    def __init__(self, server: PgServer, target_path: Path):
        self.server = server
        self.target_path = target_path

    def load(self, landing_db: Path) -> None:
        load_landed_into_postgres(landing_db, self.server)

    def build(self, args: list[str]) -> BuildResult:
        return run_dbt(args, target_path=self.target_path, env=self.server.env, quiet=True)

    def prepare(self, tables: list[str]) -> None:
        """Nothing to do: rows are read from the server table by table."""

    def fetch(self, table: str, columns: list[str]) -> list[tuple]:
        with self.server.connect() as pg:
            cur = pg.cursor()
            cur.execute(f"select {', '.join(columns)} from {table}")
            return cur.fetchall()


@contextlib.contextmanager
def postgres_engine(workdir: Path) -> Iterator[PostgresEngine]:
    with local_postgres() as server:
        yield PostgresEngine(server, workdir / "target-postgres")


def main(argv: list[str] | None = None) -> int:
    from revops.parity import parity_cli

    return parity_cli("postgres", __doc__, argv)


if __name__ == "__main__":
    sys.exit(main())
