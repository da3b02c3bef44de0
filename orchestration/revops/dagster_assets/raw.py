"""Raw-source assets: one per table of the raw contract, each landing its files with ``revops.load``.

Asset keys are ``raw/<system>/<table>`` (the dbt sources map onto them, see ``dbt.py``), plus
``raw/raw_meta/load_rejects`` and ``raw/raw_meta/loaded_files``, which every load writes into and the
quarantine models read. The blocking raw gate and the sensor on raw files live here too.
"""


import hashlib
import json
from collections.abc import Callable, Sequence

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    AssetSpec,
    AssetsDefinition,
    Backoff,
    DefaultSensorStatus,
    Failure,
    Jitter,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    asset,
    multi_asset,
    multi_asset_check,
    sensor,
)

from revops import settings
from revops.contract import RawTable, raw_tables
from revops.dagster_assets.raw_gate import GateResult, changed_files, raw_fingerprint, tables_of
from revops.dagster_assets.transient import is_transient
from revops.load import RawFileError, create_meta_tables, load_table, raw_folder_problem

RAW_GROUP = "raw"
RAW_META_TABLES = ("load_rejects", "loaded_files")
# Every asset that writes the DuckDB file runs in this pool: DuckDB allows one writer process at a time.
DUCKDB_POOL = "duckdb_writer"
# Transient failures (a lock held by another process, a server restarting) are retried; deterministic
# ones raise Failure(allow_retries=False) instead.
TRANSIENT_RETRY = RetryPolicy(max_retries=2, delay=10, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS)


def raw_asset_key(system: str, table: str) -> AssetKey:
    return AssetKey(["raw", system, table])


def _open_warehouse() -> duckdb.DuckDBPyConnection:
    database = settings.duckdb_path()
    database.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(database))
    create_meta_tables(con)
    return con


def _fail_or_retry(exc: Exception, what: str) -> Exception:
    """A transient error goes back to the RetryPolicy; any other becomes a Failure that is not retried."""
    if is_transient(exc):
        return exc
    return Failure(description=f"{what}: {exc}", allow_retries=False)


def raw_table_asset(table: RawTable) -> AssetsDefinition:
    """The asset that lands one raw table (``revops.load.load_table``) and reports what it landed."""

    @asset(
        key=raw_asset_key(table.system, table.table),
        group_name=RAW_GROUP,
        description=(
            f"Raw {table.qualified_name}: the files `{table.system}/{table.table}.csv|.parquet` under the raw "
            f"folder landed as text in `{table.schema}.{table.table}` (revops.load)."
        ),
        kinds={"duckdb", "python"},
        metadata={"contract_columns": MetadataValue.json(table.columns), "table": f"{table.schema}.{table.table}"},
        retry_policy=TRANSIENT_RETRY,
        pool=DUCKDB_POOL,
    )
    def _raw(context: AssetExecutionContext) -> MaterializeResult:
        raw_dir = settings.raw_dir()
        try:
            with _open_warehouse() as con:
                result = load_table(con, raw_dir, table)
        except (RawFileError, duckdb.Error, OSError) as exc:
            raise _fail_or_retry(exc, f"loading raw {table.qualified_name} from {raw_dir}") from exc
        for warning in result.warnings:
            context.log.warning(warning)
        return MaterializeResult(
            metadata={
                "dagster/row_count": result.rows_loaded,
                "rows_loaded": result.rows_loaded,
                "rows_rejected": result.rows_rejected,
                "files": MetadataValue.json([str(p) for p in result.files]),
                "warnings": MetadataValue.md("\n".join(f"- {w}" for w in result.warnings) or "none"),
                "seconds": round(result.seconds, 2),
            }
        )

    return _raw


def raw_table_assets() -> list[AssetsDefinition]:
    return [raw_table_asset(t) for t in raw_tables()]


@multi_asset(
    name="raw_meta",
    specs=[
        AssetSpec(
            raw_asset_key("raw_meta", name),
            group_name=RAW_GROUP,
            deps=[raw_asset_key(t.system, t.table) for t in raw_tables()],
            description=desc,
            kinds={"duckdb"},
        )
        for name, desc in (
            ("load_rejects", "Records the loader could not parse, one row each (written by every raw load)."),
            ("loaded_files", "Files the loader landed, with size, modification time and (Parquet read in place) "
                             "first row."),
        )
    ],
    can_subset=True,
    retry_policy=TRANSIENT_RETRY,
    pool=DUCKDB_POOL,
)
def raw_meta_assets(context: AssetExecutionContext):
    """Make sure the loader's bookkeeping tables exist and report them (the loads write them)."""
    try:
        with _open_warehouse() as con:
            rejects = con.execute(
                "select source_system || '.' || source_table, count(*) from raw_meta.load_rejects group by 1 order by 2 desc"
            ).fetchall()
            files = con.execute("select count(*), coalesce(sum(file_bytes), 0) from raw_meta.loaded_files").fetchone()
    except duckdb.Error as exc:
        raise _fail_or_retry(exc, "reading raw_meta") from exc
    selected = context.selected_asset_keys
    rejects_md = (
        "| table | rejected records |\n|---|---|\n" + "\n".join(f"| {t} | {n} |" for t, n in rejects)
        if rejects else "no rejected records"
    )
    if raw_asset_key("raw_meta", "load_rejects") in selected:
        yield MaterializeResult(
            asset_key=raw_asset_key("raw_meta", "load_rejects"),
            metadata={"dagster/row_count": sum(n for _, n in rejects), "rejected_by_table": MetadataValue.md(rejects_md)},
        )
    if raw_asset_key("raw_meta", "loaded_files") in selected:
        yield MaterializeResult(
            asset_key=raw_asset_key("raw_meta", "loaded_files"),
            metadata={"dagster/row_count": files[0], "bytes": int(files[1])},
        )


# A raw gate: (connection, raw table) -> GateResult. revops.definitions.RAW_GATES lists the ones that run.
RawGate = Callable[[duckdb.DuckDBPyConnection, RawTable], GateResult]


def raw_gate_check(gate_name: str, gate: RawGate):
    """A blocking multi-asset check running ``gate`` on every landed raw table: a failure stops dbt."""
    tables = {raw_asset_key(t.system, t.table): t for t in raw_tables()}
    summary = (gate.__doc__ or "").strip().split("\n")[0]

    @multi_asset_check(
        name=f"raw_gate_{gate_name}",
        specs=[AssetCheckSpec(gate_name, asset=key, blocking=True, description=summary) for key in tables],
        can_subset=True,
        retry_policy=TRANSIENT_RETRY,
    )
    def _check(context: AssetCheckExecutionContext):
        database = settings.duckdb_path()
        if not database.exists():
            raise Failure(f"{database}: no warehouse file yet; materialise the raw assets first.", allow_retries=False)
        with duckdb.connect(str(database), read_only=True) as con:
            for check_key in sorted(context.selected_asset_check_keys, key=lambda k: k.asset_key.to_user_string()):
                result = gate(con, tables[check_key.asset_key])
                for problem in result.problems:
                    context.log.error(problem)
                yield AssetCheckResult(
                    asset_key=check_key.asset_key,
                    check_name=gate_name,
                    passed=result.passed,
                    severity=AssetCheckSeverity.ERROR,
                    description="; ".join(result.problems) or None,
                    metadata={
                        "rows": result.rows,
                        "rejected_records": result.rejected,
                        "rows_without_key": result.null_key_rows,
                    },
                )

    return _check


def raw_gate_checks(gates: Sequence[tuple[str, RawGate]]) -> list:
    return [raw_gate_check(name, gate) for name, gate in gates]


def gx_raw_check(check_name: str = "gx_raw"):
    """The Great Expectations raw suites (``revops.quality.validate_raw``) as one blocking check per raw table."""
    tables = {raw_asset_key(t.system, t.table): t for t in raw_tables()}

    @multi_asset_check(
        name=f"raw_gate_{check_name}",
        specs=[
            AssetCheckSpec(check_name, asset=key, blocking=True,
                           description="Great Expectations raw suite: schema, keys, null rates, accepted values, "
                                       "ranges, row-count change (revops.quality).")
            for key in tables
        ],
        can_subset=True,
        retry_policy=TRANSIENT_RETRY,
    )
    def _gx(context: AssetCheckExecutionContext):
        from revops.quality import validate_raw

        selected = sorted(context.selected_asset_check_keys, key=lambda k: k.asset_key.to_user_string())
        todo = [tables[k.asset_key] for k in selected]
        result = validate_raw(settings.duckdb_path(), tables=todo, raise_on_failure=False)
        for table, check_key in zip(todo, selected):
            name = f"{table.schema}.{table.table}"
            failures = [f for f in result.failures if f.table == name]
            outcomes = [o for o in result.suites if o.table == name]
            for failure in failures:
                context.log.error(str(failure))
            yield AssetCheckResult(
                asset_key=check_key.asset_key,
                check_name=check_name,
                passed=not failures and all(o.success for o in outcomes),
                severity=AssetCheckSeverity.ERROR,
                description="; ".join(str(f) for f in failures)[:2000] or None,
                metadata={
                    "expectations": sum(o.expectations for o in outcomes),
                    "failed_expectations": len(failures),
                    **({"data_docs": MetadataValue.path(str(result.data_docs_index))} if result.data_docs_index else {}),
                },
            )

    return _gx


def raw_files_sensor(job_name: str, minimum_interval_seconds: int = 60):
    """A sensor that requests ``job_name`` when raw files are new, changed (mtime or size) or removed.

    The run covers only the raw tables whose files changed and every asset downstream of them (the Dagster
    counterpart of ``revops build --changed``): a new part file of email events reloads that table and rebuilds
    what reads it, not the whole warehouse. Its first tick, or one where every table changed, runs the whole job;
    files outside the raw contract (no table reads them) start no run, and neither does a raw folder that is
    missing or holds no file of any contract table (the tick is skipped saying so)."""

    @sensor(
        name="raw_files_sensor",
        job_name=job_name,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=DefaultSensorStatus.STOPPED,
        description="When a raw export file is added, changed (mtime/size) or removed: loads the tables it belongs to "
        "and materialises everything downstream of them (the whole job when every table changed).",
    )
    def _sensor(context: SensorEvaluationContext):
        raw_dir = settings.raw_dir()
        problem = raw_folder_problem(raw_dir)
        if problem:  # not "every file removed": a run would land every raw table empty
            return SkipReason(f"{problem}; no run (the cursor keeps the files last seen)")
        now = raw_fingerprint(raw_dir)
        before = json.loads(context.cursor) if context.cursor else {}
        changed = changed_files(before, now)
        if not changed:
            return SkipReason(f"no new or changed files under {raw_dir}")
        run_key = hashlib.sha256(json.dumps(now, sort_keys=True).encode()).hexdigest()[:16]
        known = {(t.system, t.table) for t in raw_tables()}
        changed_tables = [table for table in tables_of(changed) if table in known]
        if not changed_tables:  # nothing the warehouse reads: no run, but remember the files
            return SensorResult(
                skip_reason=f"only files outside the raw contract changed under {raw_dir}: "
                + ", ".join(sorted(changed))[:500],
                cursor=json.dumps(now, sort_keys=True),
            )
        tables = ", ".join(f"{s}.{t}" for s, t in changed_tables)
        return SensorResult(
            run_requests=[
                RunRequest(
                    run_key=run_key,
                    tags={"revops/trigger": "raw_files_sensor", "revops/changed_tables": tables[:200]},
                    asset_selection=downstream_of_tables(context, changed_tables),
                )
            ],
            cursor=json.dumps(now, sort_keys=True),
        )

    return _sensor


def downstream_of_tables(context: SensorEvaluationContext, tables: Sequence[tuple[str, str]]) -> list[AssetKey] | None:
    """The raw assets of ``tables`` (of the raw contract) and every asset downstream of them, or None (the whole
    job) when that is every raw table or the sensor runs without its code location (a bare test context has no
    asset graph)."""
    if {(t.system, t.table) for t in raw_tables()} <= set(tables):
        return None
    repository = context.repository_def  # None when evaluated outside a code location
    if repository is None:
        return None
    graph = repository.asset_graph
    keys = [raw_asset_key(system, table) for system, table in tables]
    return sorted(AssetSelection.assets(*keys).downstream().resolve(graph), key=lambda k: k.to_user_string())
