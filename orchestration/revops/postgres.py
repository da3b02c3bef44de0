"""The PostgreSQL target: a throwaway local server, raw files loaded into it, and a parity check with DuckDB.

    python -m revops.postgres parity     start PostgreSQL 15 on 127.0.0.1 in a temp dir, load the raw files,
                                         dbt build --target postgres, compare every KPI mart with DuckDB's
    python -m revops.postgres load       copy the raw tables `revops load` landed in the DuckDB warehouse into
                                         your PostgreSQL server (REVOPS_PG_*); then
                                         REVOPS_TARGET=postgres .venv/bin/dbt build

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
    data_dir: Path | None
    password: str = ""

    @property
    def env(self) -> dict[str, str]:
        return {
            "REVOPS_TARGET": "postgres",
            "REVOPS_PG_HOST": self.host,
            "REVOPS_PG_PORT": str(self.port),
            "REVOPS_PG_USER": self.user,
            "REVOPS_PG_DATABASE": self.database,
            "REVOPS_PG_PASSWORD": self.password,
        }

    def connect(self):
        import psycopg2

        return psycopg2.connect(host=self.host, port=self.port, user=self.user, dbname=self.database,
                                password=self.password or None)


def server_from_env(environ=None) -> PgServer:
    """The server the `postgres` target of profiles.yml names (REVOPS_PG_*, same defaults), port checked."""
    from revops import settings

    environ = os.environ if environ is None else environ
    settings.check_profile_env({**environ, "REVOPS_TARGET": "postgres"})
    return PgServer(environ.get("REVOPS_PG_HOST") or "127.0.0.1", int(environ.get("REVOPS_PG_PORT") or 5432),
                    environ.get("REVOPS_PG_USER") or "postgres", environ.get("REVOPS_PG_DATABASE") or "revops",
                    None, environ.get("REVOPS_PG_PASSWORD") or "")


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


def load_cli() -> int:
    """``python -m revops.postgres load``: the DuckDB warehouse's raw tables into the REVOPS_PG_* server."""
    import psycopg2

    from revops import settings

    database = settings.duckdb_path()
    if not database.exists():
        print(f"error: no warehouse at {database}: run `revops load` first (it lands your raw files there)",
              file=sys.stderr)
        return 2
    try:
        server = server_from_env()
        counts = load_landed_into_postgres(database, server)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except psycopg2.OperationalError as exc:
        print(f"error: cannot reach PostgreSQL at {server.host}:{server.port} (database {server.database}, user "
              f"{server.user}): {' '.join(str(exc).split())} Set REVOPS_PG_HOST, _PORT, _USER, _PASSWORD and _DATABASE",
              file=sys.stderr)
        return 2
    except duckdb.CatalogException as exc:
        print(f"error: {database} has no landed raw table ({str(exc).splitlines()[0]}): run `revops load` first",
              file=sys.stderr)
        return 2
    rows = sum(counts.values())
    print(f"{len(counts)} raw tables ({rows:,} rows) copied to {server.host}:{server.port}/{server.database}; "
          "then REVOPS_TARGET=postgres .venv/bin/dbt build")
    return 0


def main(argv: list[str] | None = None) -> int:
    from revops.parity import parity_cli

    load_help = ("copy the raw tables of the DuckDB warehouse (after `revops load`) into the PostgreSQL server "
                 "named by REVOPS_PG_*; then REVOPS_TARGET=postgres dbt build")
    return parity_cli("postgres", __doc__, argv, {"load": (load_help, load_cli)})


if __name__ == "__main__":
    sys.exit(main())
