"""Where things live. Every path can be overridden by an environment variable, so a user points the
project at their own exports and warehouse without editing files."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _path(var: str, default: str) -> Path:
    value = os.environ.get(var) or default
    path = Path(value)
    return path if path.is_absolute() else PROJECT_DIR / path


DEFAULT_RAW_DIR = "data/raw"  # the sample company's folder (`revops run` generates it there when it is empty)


def raw_dir() -> Path:
    """Folder of raw exports: ``<raw_dir>/<system>/<table>.csv|.parquet`` or a folder of part files."""
    return _path("REVOPS_RAW_DIR", DEFAULT_RAW_DIR)


def raw_dir_is_set() -> bool:
    """Whether ``REVOPS_RAW_DIR`` names a raw folder of yours (your exports) rather than the default ``data/raw``.

    The default given explicitly (``data/raw``, ``./data/raw/`` or its absolute path) is still the default: the
    sample company's folder, not someone's exports."""
    if not os.environ.get("REVOPS_RAW_DIR"):
        return False
    return raw_dir().resolve() != (PROJECT_DIR / DEFAULT_RAW_DIR).resolve()


LOCK_HINT = ("DuckDB lets one process at a time open the warehouse file for writing: stop the process named above "
             "(a Dagster run, `make lint`, a notebook, another revops command) or wait for it to end, then run this again")


def is_lock_error(exc: BaseException) -> bool:
    """Whether ``exc`` is DuckDB refusing the warehouse file because another process holds its lock."""
    text = str(exc).lower()
    return "could not set lock" in text or "conflicting lock" in text


def explain_error(exc: BaseException) -> str:
    """The one-line message for a person: the error, and what to do when it says what to do nowhere else."""
    return f"{exc}\n  {LOCK_HINT}" if is_lock_error(exc) else str(exc)


def truth_dir() -> Path:
    """Ground truth written by the sample generator (never read by the models)."""
    return _path("REVOPS_TRUTH_DIR", "data/ground_truth")


def duckdb_path() -> Path:
    """The embedded warehouse file (the dbt ``dev`` target)."""
    return _path("REVOPS_DUCKDB_PATH", "warehouse/revops.duckdb")


def dbt_target_dir(target: str | None = None) -> Path:
    """dbt's target folder for the project's own builds (`revops run`, `revops build`, `revops publish`):
    ``$DBT_TARGET_PATH``, dbt's own variable, else ``target``. Dagster keeps its own (``target/dagster``).

    A build on another dbt target than ``dev`` (``target="postgres"``, from ``REVOPS_TARGET``) keeps its own folder,
    ``target/<target>``, unless ``DBT_TARGET_PATH`` names one: dbt saves its partial parse per folder and parses
    in full when the target changes, so a shared folder would make each target's next build parse the whole
    project again."""
    base = _path("DBT_TARGET_PATH", "target")
    if target and target != "dev" and not os.environ.get("DBT_TARGET_PATH"):
        return base / target
    return base


def artifacts_dir() -> Path:
    """Run artefacts: Data Docs, reports, published copies."""
    return _path("REVOPS_ARTIFACTS_DIR", "warehouse/artifacts")


DEFAULT_THREADS = "2"  # keep equal to the default in profiles.yml (dev and postgres targets, threads)


def dbt_threads(environ: Mapping[str, str] | None = None) -> int:
    """dbt's threads on DuckDB and PostgreSQL: ``REVOPS_THREADS`` of ``environ`` (default: the process's
    environment), else 2. profiles.yml reads it with Jinja's ``| int``, which makes ``abc`` 0 threads (dbt then
    fails deep in a traceback) and ``2.5`` 2: call this before dbt starts, for a clear error instead."""
    value = (os.environ if environ is None else environ).get("REVOPS_THREADS", DEFAULT_THREADS)
    if not re.fullmatch(r"\s*[0-9]+\s*", value) or int(value) < 1:
        raise ValueError(f"REVOPS_THREADS={value!r} is not a positive whole number: set it to the number of dbt "
                         f"threads (e.g. 4), or unset it for {DEFAULT_THREADS}")
    return int(value)


def check_profile_env(environ: Mapping[str, str] | None = None) -> None:
    """The whole numbers profiles.yml reads for the chosen target (``REVOPS_TARGET``), checked before dbt starts:
    ``REVOPS_THREADS`` (dev, postgres), ``REVOPS_PG_PORT`` (postgres: Jinja's ``| int`` made ``abc`` port 0, and dbt
    said only 'invalid port number: "0"'), ``REVOPS_SPARK_CORES`` (spark: a whole number or ``*``, inside
    ``local[...]``, where anything else fails in Spark's start-up). A ValueError names the variable and value."""
    environ = os.environ if environ is None else environ
    target = environ.get("REVOPS_TARGET") or "dev"
    if target in ("dev", "postgres"):
        dbt_threads(environ)
    port = environ.get("REVOPS_PG_PORT")
    if target == "postgres" and port is not None and not (
            re.fullmatch(r"\s*[0-9]+\s*", port) and 1 <= int(port) <= 65535):
        raise ValueError(f"REVOPS_PG_PORT={port!r} is not a port number (1 to 65535): set it to the PostgreSQL "
                         "server's port, or unset it for 5432")
    cores = environ.get("REVOPS_SPARK_CORES")
    if target == "spark" and cores is not None and not (
            cores.strip() == "*" or (re.fullmatch(r"\s*[0-9]+\s*", cores) and int(cores) >= 1)):
        raise ValueError(f"REVOPS_SPARK_CORES={cores!r} is not a positive whole number or *: set it to the local "
                         "Spark's cores (local[N]), or unset it for 2")


DEFAULT_DUCKDB_MEMORY_LIMIT = "3GB"  # keep equal to the default in profiles.yml (dev target, memory_limit)


def duckdb_memory_limit() -> str:
    """DuckDB's memory cap for the load and the build (``REVOPS_DUCKDB_MEMORY_LIMIT``): it spills past it."""
    return os.environ.get("REVOPS_DUCKDB_MEMORY_LIMIT") or DEFAULT_DUCKDB_MEMORY_LIMIT


def release_duckdb_cache(connection, headroom_mib: int = 256) -> bool:
    """Let DuckDB drop the table blocks it keeps cached before a Python model pulls large frames.

    DuckDB keeps the blocks of the tables earlier models read in its buffer pool until it needs the room (0.9 to
    1.4 GB when the scale-100 build reached person clustering); it does not count pandas memory, so the cache
    and the frames add up. Lowering the cap for a moment makes DuckDB evict them; the cap is put back at once.
    The lowered cap is what everything but the cache holds now plus ``headroom_mib``, so a query running on
    another thread keeps that much room to grow in the moment. If DuckDB cannot free enough (such a query
    pinned more meanwhile) it refuses the lower cap: nothing is released, nothing fails. Returns whether the
    cache was released.
    """
    import duckdb

    held = connection.execute(
        "select coalesce(sum(memory_usage_bytes) filter (where tag <> 'BASE_TABLE'), 0) from duckdb_memory()"
    ).fetchone()[0]
    try:
        connection.execute(f"set memory_limit = '{int(held) // 2**20 + headroom_mib}MiB'")
        return True
    except duckdb.Error:
        return False
    finally:
        connection.execute(f"set memory_limit = '{duckdb_memory_limit()}'")
