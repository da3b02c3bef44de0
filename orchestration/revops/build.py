"""Run dbt and read what it did: the plain-Python side of the main job (no Dagster here)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from revops.contract import INCREMENTAL_TABLES
from revops.load import _sql_str
from revops.settings import PROJECT_DIR, check_profile_env, dbt_target_dir

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
    # raw Parquet files a failed build's parse models could not read whole (revops.load.unreadable_raw_files)
    unreadable_files: list[str] = field(default_factory=list)


def dbt_executable() -> str:
    """The dbt of the running interpreter's environment (the project's .venv), else the one on PATH."""
    candidate = Path(sys.executable).parent / "dbt"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbt")
    if not found:
        raise FileNotFoundError("dbt not found: run `make install` (it creates .venv from uv.lock)")
    return found


# dbt 1.11's partial parsing loses the enabled model of a same-named pair when the disabled one's file changes: the
# forecast marts are a dbt Python model and a SQL fallback of the same name, one enabled per engine, and an edit of
# the fallback left `fct_mrr_forecast` out of the graph ("... depends on 'model.revops.fct_mrr_forecast' which is
# not in the graph!"). So dbt parses in full whenever the project's dbt code differs from the code this target
# folder last parsed in full (its fingerprint is kept here, beside dbt's partial_parse.msgpack).
PARSED_FINGERPRINT = "revops_parsed_fingerprint"


def run_dbt(args: list[str], target_path: Path | None = None, env: dict[str, str] | None = None,
            quiet: bool = False) -> BuildResult:
    """Run ``dbt <args>`` in the project, streaming its log, and summarise run_results.json. After a change to the
    project's dbt code since the target folder's last full parse, dbt parses in full (PARSED_FINGERPRINT)."""
    full_env = {**os.environ, "DO_NOT_TRACK": "1", **(env or {})}
    check_profile_env(full_env)  # a clear error now rather than dbt's traceback once it has started
    target_path = Path(target_path or dbt_target_dir())
    fingerprint = project_fingerprint(PROJECT_DIR)
    parsed_stamp = target_path / PARSED_FINGERPRINT
    full_parse = not (parsed_stamp.exists() and parsed_stamp.read_text().strip() == fingerprint)
    cmd = [dbt_executable(), *args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
           "--target-path", str(target_path), *(["--no-partial-parse"] if full_parse else [])]
    started = time.time()
    completed = subprocess.run(
        cmd, cwd=PROJECT_DIR, env=full_env, text=True,
        stdout=subprocess.PIPE if quiet else None, stderr=subprocess.STDOUT if quiet else None,
    )
    saved_parse = target_path / "partial_parse.msgpack"
    if full_parse and saved_parse.exists() and saved_parse.stat().st_mtime >= started - 1:
        parsed_stamp.write_text(fingerprint + "\n")  # this run parsed the current code in full and saved it
    result = BuildResult(returncode=completed.returncode)
    results_file = target_path / "run_results.json"
    if results_file.exists():
        data = json.loads(results_file.read_text())
        result.elapsed_s = float(data.get("elapsed_time") or 0.0)
        for node in data.get("results", []):
            result.statuses[(node["unique_id"].split(".")[0], node["status"])] += 1
        result.failures.extend(failed_nodes(results_file))
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


# --- Building only what changed ----------------------------------------------------------------------------
# `revops build --changed` rebuilds (and tests) what is downstream of the raw tables loaded since the last
# successful build, plus whatever dbt sees as modified in the project since then (`state:modified+`). The
# incremental `base_` models then parse only the new rows, and the models that no new data reaches (identity,
# when only events arrived) are left as they are. Without an earlier successful build it builds everything.

BUILD_STATE_DDL = """
create table if not exists raw_meta.build_state (
    finished_at timestamp,
    load_watermark timestamp,
    selection varchar
)
"""


def build_state_dir() -> Path:
    """Where the manifest of the last successful build is kept (dbt's --state for state:modified)."""
    from revops.settings import artifacts_dir

    return artifacts_dir() / "last_build"


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    return row[0] if row else None


# The statements here write their values as SQL literals rather than bind parameters: binding a Python value
# makes DuckDB import pandas, about 0.65 s of every `revops build --changed` before dbt even starts.
LAST_WATERMARK = "select max(load_watermark) as watermark from raw_meta.build_state"


def _sql_literal(value: object) -> str:
    """None, a timestamp, an integer or a text as a DuckDB literal."""
    if value is None:
        return "null"
    if isinstance(value, datetime):
        return f"timestamp '{value.isoformat(sep=' ')}'"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return _sql_str(value)
    raise TypeError(f"no SQL literal for {type(value).__name__} {value!r}")


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(_scalar(con, "select count(*) from information_schema.tables "
                             f"where table_schema = '{schema}' and table_name = '{table}'"))


# What dbt builds from (dbt_project.yml's paths): a change here can change a model or a test; the pytest
# suite in tests/python, the README and the orchestration code cannot.
PROJECT_CODE = ("dbt_project.yml", "models", "macros", "seeds", "tests", "analyses", "snapshots", "docs")


def project_fingerprint(root: Path = PROJECT_DIR) -> str:
    """sha256 of the project's dbt code (PROJECT_CODE: paths and contents), to tell a data-only change."""
    digest = hashlib.sha256()
    for part in PROJECT_CODE:
        path = root / part
        files = sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                       and not p.is_relative_to(root / "tests" / "python")) \
            if path.is_dir() else [path] if path.exists() else []
        for file in files:
            digest.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def code_unchanged(state_dir: Path, fingerprint: str | None = None) -> bool:
    """Whether the project's dbt code (``fingerprint``, default: the current one) is the code the last successful
    build recorded in ``state_dir`` built."""
    fingerprint_file = state_dir / "project_fingerprint"
    return fingerprint_file.exists() and \
        fingerprint_file.read_text().strip() == (fingerprint or project_fingerprint())


def changed_selection(database: Path, state_dir: Path, fingerprint: str | None = None) -> tuple[list[str] | None, str]:
    """dbt arguments selecting what changed since the last successful build, and a sentence saying what.

    Returns (None, why) when everything must be built: no earlier successful build, or its manifest is gone.
    When the project's code is the one that build used (``fingerprint``, default: the current one), only data
    changed, and unit tests are left out: they read their own fixture rows, never the warehouse, so new rows
    cannot change their result (after a code change they run, through state:modified+)."""
    if not (state_dir / "manifest.json").exists():
        return None, f"no manifest of an earlier successful build in {state_dir}: building everything"
    changed = tables_loaded_since_last_build(database)
    if changed is None:
        return None, "no earlier successful build recorded in raw_meta.build_state: building everything"
    selectors = [f"source:{system}.{table}+" for system, table in changed] + ["state:modified+"]
    tables = ", ".join(f"{s}.{t}" for s, t in changed) or "none"
    if code_unchanged(state_dir, fingerprint):
        return (["--select", *selectors, "--exclude", "resource_type:unit_test", "--state", str(state_dir)],
                f"raw tables loaded since the last successful build: {tables}; project code unchanged "
                "(unit tests skipped: they do not read the warehouse)")
    return (["--select", *selectors, "--state", str(state_dir)],
            f"raw tables loaded since the last successful build: {tables}; plus models modified since then")


def tables_loaded_since_last_build(database: Path) -> list[tuple[str, str]] | None:
    """(system, table) of every raw table loaded since the last recorded successful build; None when no build
    is recorded."""
    with duckdb.connect(str(database), read_only=True) as con:
        builds = _scalar(con, "select count(*) from raw_meta.build_state") \
            if _table_exists(con, "raw_meta", "build_state") else 0
        if not builds:
            return None
        # NULL watermark: that build saw no logged load, so every load logged since is new to it
        return [tuple(row) for row in con.execute(
            f"select distinct source_system, source_table from raw_meta.load_log, ({LAST_WATERMARK}) as mark "
            "where mark.watermark is null or loaded_at > mark.watermark order by 1, 2"
        ).fetchall()] if _table_exists(con, "raw_meta", "load_log") else []


# The nodes whose result depends on the warehouse's data (unit tests read only their fixture rows).
DATA_NODE_KINDS = ("model", "seed", "snapshot", "test")


def build_coverage(database: Path, state_dir: Path, manifest: dict, executed: set[str],
                   fingerprint: str | None = None) -> str | None:
    """What a successful dbt run that executed the node ids ``executed`` covers, said in a sentence, when it
    leaves nothing for ``revops build --changed`` to do; else None.

    Such a run (a Dagster run, say) may move the mark as `revops build` does. With the code of the last
    recorded build (``fingerprint``) it must have run every model, seed, snapshot and data test downstream of
    each raw table loaded since that build (what `--changed` would select); without a recorded build, or after
    a code change, every such node of ``manifest`` and every unit test."""
    loaded = tables_loaded_since_last_build(database) if (state_dir / "manifest.json").exists() else None
    if loaded is not None and code_unchanged(state_dir, fingerprint):
        required, frontier = set(), [f"source.{manifest['metadata']['project_name']}.{s}.{t}" for s, t in loaded]
        while frontier:
            for child in manifest["child_map"].get(frontier.pop(), []):
                if child not in required and child.split(".")[0] in DATA_NODE_KINDS:
                    required.add(child)
                    frontier.append(child)
        what = ("what the raw tables loaded since the last successful build reach: "
                + (", ".join(f"{s}.{t}" for s, t in loaded) or "none"))
    else:
        required = {uid for uid, node in manifest["nodes"].items() if node["resource_type"] in DATA_NODE_KINDS}
        required |= set(manifest.get("unit_tests", {}))
        what = "everything"
    return what if required <= executed else None


def record_successful_build(database: Path, target_path: Path, state_dir: Path, selection: str,
                            load_watermark: object, fingerprint: str | None = None) -> None:
    """After a successful build: keep its manifest, the fingerprint of the code it built (when known) and the
    load watermark it covered."""
    state_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(target_path / "manifest.json", state_dir / "manifest.json")
    fingerprint_file = state_dir / "project_fingerprint"
    if fingerprint:
        fingerprint_file.write_text(fingerprint + "\n")
    else:
        fingerprint_file.unlink(missing_ok=True)
    with duckdb.connect(str(database)) as con:
        con.execute("create schema if not exists raw_meta")
        con.execute(BUILD_STATE_DDL)
        con.execute(ROW_MARKS_DDL)
        finished_at = _scalar(con, "select current_timestamp::timestamp")
        values = ", ".join(map(_sql_literal, (finished_at, load_watermark, selection)))
        con.execute(f"insert into raw_meta.build_state values ({values})")
        for relation, through_row in parsed_row_marks(con).items():
            values = ", ".join(map(_sql_literal, (finished_at, relation, through_row)))
            con.execute(f"insert into raw_meta.build_row_marks values ({values})")


# The large incremental staging views: a `--changed` build tests only their rows that can have changed (macro
# get_where_subquery), from the marks the last successful build recorded: how far each parse model had parsed.
ROW_MARKS_DDL = """
create table if not exists raw_meta.build_row_marks (
    finished_at timestamp,
    relation varchar,
    through_row bigint
)
"""


# The variable that carries the marks to dbt (macro get_where_subquery).
CHANGED_SINCE_ROW = "REVOPS_CHANGED_SINCE_ROW"


def scoped_tests_note(scope: dict[str, int]) -> str:
    """What a scope passed in CHANGED_SINCE_ROW does, for the log."""
    return ("tests of " + ", ".join(sorted(scope)) + " read the rows arrived since the last successful build "
            "(and the current rows of their keys)")


def on_duckdb_target(env: dict[str, str] | None = None) -> bool:
    """Whether dbt builds the DuckDB warehouse (target dev), where the marks of `--changed` live."""
    return (env or {}).get("REVOPS_TARGET", os.environ.get("REVOPS_TARGET", "dev")) == "dev"


def parsed_row_marks(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Staging view -> the highest ``_source_row`` its incremental parse model holds now."""
    marks = {}
    for system, table in sorted(INCREMENTAL_TABLES):
        if _table_exists(con, "staging", f"base_{system}__{table}"):
            marks[f"stg_{system}__{table}"] = int(_scalar(
                con, f"select coalesce(max(_source_row), 0) from staging.base_{system}__{table}"))
    return marks


def changed_test_scope(database: Path) -> dict[str, int]:
    """For a `--changed` build: staging view -> the row mark of the last successful build, for the views whose
    raw table was only appended to since (a full reload renumbers the rows: that view is tested whole)."""
    with duckdb.connect(str(database), read_only=True) as con:
        if not (_table_exists(con, "raw_meta", "build_row_marks") and _table_exists(con, "raw_meta", "build_state")):
            return {}
        reloaded = {f"stg_{system}__{table}" for system, table in con.execute(
            f"select distinct source_system, source_table from raw_meta.load_log, ({LAST_WATERMARK}) as mark "
            "where mode = 'full' and (mark.watermark is null or loaded_at > mark.watermark)").fetchall()} \
            if _table_exists(con, "raw_meta", "load_log") else set()
        rows = con.execute(
            "select relation, through_row from raw_meta.build_row_marks "
            "where finished_at = (select max(finished_at) from raw_meta.build_row_marks)").fetchall()
    return {relation: int(through) for relation, through in rows if relation not in reloaded}


def load_watermark(database: Path) -> object:
    """The latest load the warehouse has seen (what a build starting now covers)."""
    if not database.exists():
        return None
    with duckdb.connect(str(database), read_only=True) as con:
        if not _table_exists(con, "raw_meta", "load_log"):
            return None
        return _scalar(con, "select max(loaded_at) from raw_meta.load_log")


# What every `revops load` writes first (revops.load.create_meta_tables), and what it logs each table's load in.
LOADER_TABLES = ("loaded_files", "load_log")


def check_loaded_warehouse(database: Path) -> None:
    """Before dbt starts on the DuckDB target: the warehouse exists, dbt can write it (and its .wal beside it) and
    `revops load` has landed something in it; else a ValueError of one line saying which (dbt would fail with a
    couple of hundred lines of IO Error, or of Catalog Error on a missing raw schema)."""
    folder = database.parent
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"{folder} is not writable: dbt writes the warehouse {database.name} and its .wal file "
                         "there (set REVOPS_DUCKDB_PATH to a file in a writable folder)")
    if not database.is_file():
        raise ValueError(f"no loaded warehouse at {database}: run `revops load` first")
    if not os.access(database, os.R_OK | os.W_OK):
        raise ValueError(f"{database} is not writable: dbt builds the models in it")
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            loaded = any(_table_exists(con, "raw_meta", table) for table in LOADER_TABLES)
    except duckdb.Error as exc:
        raise ValueError(f"cannot open the warehouse {database}: {str(exc).splitlines()[0]}") from exc
    if not loaded:
        raise ValueError(f"no loaded warehouse at {database}: run `revops load` first")


def build(changed_only: bool = False, extra_args: list[str] | None = None, target_path: Path | None = None,
          database: Path | None = None, env: dict[str, str] | None = None, quiet: bool = False,
          log=print, unit_tests: bool = True) -> BuildResult:
    """`dbt build` of the project (everything, or with ``changed_only`` what changed since the last successful
    build), recording a successful build so the next ``changed_only`` build starts from it.

    ``unit_tests=False`` is a production build: every model, seed and data test, no unit test. dbt's unit tests
    read their own fixture rows, never the warehouse, so they cost the same on any data and prove the code, not
    the data; dbt recommends running them in development and CI only (`make test` does). Such a build still
    counts as a build of everything for the mark of ``changed_only``."""
    from revops.settings import duckdb_path

    # The build state lives in the DuckDB warehouse: on another target the build runs as asked, unrecorded.
    on_duckdb = on_duckdb_target(env)
    if changed_only and not on_duckdb:
        raise ValueError("revops build --changed works on the DuckDB target (dev) only: its state is kept in the "
                         "DuckDB warehouse; on other targets use dbt's own selection (--select, --state)")
    partial = partial_run_args(extra_args, env)
    if changed_only and partial:
        raise ValueError(f"revops build --changed chooses the selection itself: drop {' '.join(partial)}, or "
                         "run without --changed")
    database = Path(database or duckdb_path())
    target_path = target_path or dbt_target_dir((env or {}).get("REVOPS_TARGET", os.environ.get("REVOPS_TARGET")))
    if on_duckdb:
        from revops.load import stale_raw_files

        check_loaded_warehouse(database)

        stale = stale_raw_files(database)
        if stale:
            raise ValueError("raw Parquet files are read in place and changed since `revops load` landed them: "
                             + "; ".join(stale[:5]) + (f" (and {len(stale) - 5} more)" if len(stale) > 5 else "")
                             + ". Run `revops load` again (or `revops load --copy` to copy them in).")
    state_dir = build_state_dir()
    watermark = load_watermark(database) if on_duckdb else None
    fingerprint = project_fingerprint() if on_duckdb else None  # the code this build starts from
    selection_args: list[str] | None = None
    description = "everything"
    if changed_only:
        selection_args, description = changed_selection(database, state_dir, fingerprint)
        log(f"revops build --changed: {description}")
        if selection_args is not None:
            # Scoped tests assume the rows below the marks are the ones the last good build tested; after a code
            # change a rebuilt view or a changed test can differ on them, so then every test reads every row.
            same_code = code_unchanged(state_dir, fingerprint)
            if same_code and not extra_args and not tables_loaded_since_last_build(database):
                # dbt would select nothing (no new load, no modified node): skip its start (4 s and more)
                log("revops build --changed: nothing to build, the last successful build covers every load and "
                    "the same code; dbt not started")
                return BuildResult(returncode=0)
            scope = changed_test_scope(database) if same_code else {}
            if not same_code:
                log("revops build --changed: the project code changed since the last successful build, so the "
                    "selected tests read every row")
            if scope:
                env = {**(env or {}), CHANGED_SINCE_ROW: json.dumps(scope)}
                log("revops build --changed: " + scoped_tests_note(scope))
    if not unit_tests:
        log("revops build: unit tests skipped (--no-unit-tests: they read fixtures, not the warehouse; "
            "`make test` runs them)")
    result = run_dbt(["build", *(selection_args or []), *(extra_args or []),
                      *([] if unit_tests else ["--exclude-resource-type", "unit_test"])],
                     target_path=target_path, env=env, quiet=quiet)
    if result.returncode != 0 and on_duckdb:
        result.unreadable_files = unreadable_files_of_failed_parse_models(database, result.failures)
        result.failures[:0] = [f"raw file {problem}" for problem in result.unreadable_files]
    # Only a build of the whole project (or of what changed) moves the watermark; a hand-picked part (--select,
    # --exclude, --empty...) does not, so the next --changed build still covers what it skipped.
    if result.returncode == 0 and on_duckdb:
        if partial:
            log(f"revops build: a partial run ({' '.join(partial)}): the mark of `revops build --changed` stays")
        else:
            record_successful_build(database, target_path, state_dir, description, watermark, fingerprint)
    return result


def failed_nodes(results_file: Path) -> list[str]:
    """``<unique_id>: <message>`` of each node that ended in error or failure in dbt's run_results.json (none when
    the file is missing or unreadable: dbt stopped before writing it)."""
    try:
        data = json.loads(Path(results_file).read_text())
    except (OSError, ValueError):
        return []
    return [f"{node['unique_id']}: {(node.get('message') or '').strip()[:300]}"
            for node in data.get("results", []) if node.get("status") in ("error", "fail")]


def unreadable_files_of_failed_parse_models(database: Path, failures: list[str]) -> list[str]:
    """The raw Parquet files that the failed parse models (``model.revops.base_<system>__<table>``) among these
    failures cannot read whole (:func:`revops.load.unreadable_raw_files`)."""
    from revops.load import unreadable_raw_files

    tables = []
    for failure in failures:
        node = failure.split(":", 1)[0]
        if node.startswith("model.revops.base_") and "__" in node:
            system, table = node.removeprefix("model.revops.base_").split("__", 1)
            tables.append((system, table))
    try:
        return unreadable_raw_files(database, sorted(set(tables)))
    except duckdb.Error:  # the warehouse is locked or gone: the build's own failures say enough
        return []


# dbt's options that make `dbt build` run part of the project (dbt/cli/params.py), in every spelling dbt's parser
# (click) takes: `--select x`, `--select=x`, `-s x`, `-sx`, grouped after flags (`-xs x`), and long names only
# whole (click does not expand `--sel`). --empty builds no rows, --sample a time window of them.
PARTIAL_RUN_OPTIONS = ("--select", "--models", "--model", "--exclude", "--selector", "--resource-type",
                       "--resource-types", "--exclude-resource-type", "--exclude-resource-types", "--empty",
                       "--inline", "--sample")
PARTIAL_RUN_SHORT = "sm"  # -s, -m: --select
SHORT_FLAGS = "dxqfvV"  # dbt build's short options that take no value, so another may follow in the same word
# The same by environment variable (dbt reads them when the option is not given).
PARTIAL_RUN_ENV = ("DBT_RESOURCE_TYPES", "DBT_EXCLUDE_RESOURCE_TYPES", "DBT_SAMPLE")
CLICK_TRUE = ("1", "true", "t", "yes", "y", "on")


def partial_run_args(extra_args: list[str] | None, env: dict[str, str] | None = None) -> list[str]:
    """The arguments for dbt in ``extra_args`` (and dbt's variables in the environment, ``env`` over
    ``os.environ``) that make the build a partial run, as given; empty when it builds the whole project."""
    found = []
    for arg in extra_args or []:
        if arg.startswith("--"):
            if arg.split("=", 1)[0] in PARTIAL_RUN_OPTIONS:
                found.append(arg)
        elif arg.startswith("-") and len(arg) > 1:
            option = arg[1:].lstrip(SHORT_FLAGS)[:1]  # the first letter past the flags: an option or nothing
            if option and option in PARTIAL_RUN_SHORT:
                found.append(arg)
    environment = {**os.environ, **(env or {})}
    found += [f"{var}={environment[var]}" for var in PARTIAL_RUN_ENV if environment.get(var, "").strip()]
    if environment.get("DBT_EMPTY", "").strip().lower() in CLICK_TRUE:
        found.append(f"DBT_EMPTY={environment['DBT_EMPTY']}")
    return found
