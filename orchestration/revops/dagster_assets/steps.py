"""Python steps that run outside dbt as assets (publishing; any step listed in ``revops.definitions.PYTHON_STEPS``,
none today: the forecasts and playbooks are dbt models, Python or SQL, and so dbt assets already), the Great
Expectations mart suites as asset checks on the marts, and the run summary people read after a refresh.

A step is a plain function in a ``revops`` module that knows nothing of Dagster::

    def build_forecasts(database: Path, artifacts_dir: Path) -> Mapping[str, object] | None

It reads the warehouse, writes its tables or files, and may return metadata to show (row counts, paths).
One line in ``revops.definitions.PYTHON_STEPS`` makes it an asset downstream of the dbt models it reads.
A step whose module is not importable yet is left out (listed in the code location's metadata).
"""


import importlib
import importlib.util
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset_check,
)

from revops import settings
from revops.dagster_assets.raw import DUCKDB_POOL, TRANSIENT_RETRY
from revops.dagster_assets.transient import is_transient


@dataclass(frozen=True)
class PythonStep:
    """``key`` like ``forecast/revenue``; ``target`` ``module:function``; ``reads`` dbt model names or asset keys."""

    key: str
    target: str
    reads: Sequence[str] = ()
    description: str = ""
    writes_warehouse: bool = True

    @property
    def module(self) -> str:
        return self.target.split(":")[0]

    def available(self) -> bool:
        try:
            return importlib.util.find_spec(self.module) is not None
        except ModuleNotFoundError:
            return False


def _resolve(reads: Sequence[str], model_keys: Mapping[str, AssetKey]) -> list[AssetKey]:
    keys = []
    for name in reads:
        if "/" in name:
            keys.append(AssetKey(name.split("/")))
        elif name in model_keys:
            keys.append(model_keys[name])
        else:
            raise ValueError(
                f"python step reads dbt model '{name}', which is not in the dbt manifest; "
                f"fix the name in revops.definitions.PYTHON_STEPS (known marts: "
                f"{', '.join(sorted(n for n in model_keys if not n.startswith(('stg_', 'base_'))))[:500]})"
            )
    return keys


def python_step_asset(step: PythonStep, model_keys: Mapping[str, AssetKey]) -> AssetsDefinition:
    key = AssetKey(step.key.split("/"))

    @asset(
        key=key,
        deps=_resolve(step.reads, model_keys),
        group_name=key.path[0],
        description=step.description or f"`{step.target}` (plain Python, run after the dbt models it reads).",
        kinds={"python"},
        retry_policy=TRANSIENT_RETRY,
        pool=DUCKDB_POOL if step.writes_warehouse else None,
    )
    def _step(context: AssetExecutionContext) -> MaterializeResult:
        module_name, func_name = step.target.split(":")
        func = getattr(importlib.import_module(module_name), func_name)
        artifacts = settings.artifacts_dir()
        artifacts.mkdir(parents=True, exist_ok=True)
        try:
            metadata = func(database=settings.duckdb_path(), artifacts_dir=artifacts) or {}
        except Exception as exc:
            if is_transient(exc):
                raise
            from dagster import Failure

            raise Failure(description=f"{step.target}: {exc}", allow_retries=False) from exc
        return MaterializeResult(metadata=dict(metadata))

    return _step


def python_step_assets(steps: Sequence[PythonStep], model_keys: Mapping[str, AssetKey]) -> tuple[list[AssetsDefinition], list[str]]:
    """Assets of the steps whose module exists, and the keys of those left out."""
    assets, missing = [], []
    for step in steps:
        if step.available():
            assets.append(python_step_asset(step, model_keys))
        else:
            missing.append(f"{step.key} ({step.module} not importable yet)")
    return assets, missing


def _data_docs_link(artifacts: Path) -> str | None:
    """The Data Docs site under the artefacts folder (Great Expectations writes ``.../data_docs/.../index.html``)."""
    for candidate in sorted(artifacts.glob("**/data_docs/**/index.html")):
        return candidate.resolve().as_uri()
    return None


def run_summary_asset(reads: Sequence[AssetKey]) -> AssetsDefinition:
    """``reports/run_summary``: what people look at after a refresh, as materialisation metadata."""

    @asset(
        key=AssetKey(["reports", "run_summary"]),
        deps=list(reads),
        group_name="reports",
        description="Rows per layer, quarantined rows by reason, KPI headline values and the Data Docs link.",
        kinds={"python"},
        retry_policy=TRANSIENT_RETRY,
    )
    def run_summary(context: AssetExecutionContext) -> MaterializeResult:
        from revops.build import accounting_unbalanced, quarantine_by_reason, rows_per_layer

        database = settings.duckdb_path()
        metadata: dict[str, object] = {}
        layers = rows_per_layer(database)
        for layer, (relations, rows) in layers.items():
            metadata[f"rows_{layer}"] = rows
        metadata["rows_per_layer"] = MetadataValue.md(
            "| layer | relations | rows |\n|---|---:|---:|\n"
            + "\n".join(f"| {layer} | {rel} | {rows:,} |" for layer, (rel, rows) in layers.items())
        )
        try:
            quarantined = quarantine_by_reason(database)
        except Exception as exc:  # the quarantine model not built in this selection
            context.log.warning(f"quality.raw_quarantine not readable: {exc}")
            quarantined = []
        metadata["quarantined_rows"] = sum(r[3] for r in quarantined)
        metadata["quarantined_by_reason"] = MetadataValue.md(
            "| system | table | reason | rows |\n|---|---|---|---:|\n"
            + "\n".join(f"| {s} | {t} | {r} | {n:,} |" for s, t, r, n in quarantined[:50])
            if quarantined else "no quarantined rows"
        )
        try:
            metadata["unbalanced_raw_tables"] = len(accounting_unbalanced(database))
        except Exception as exc:
            context.log.warning(f"quality.raw_row_accounting not readable: {exc}")
        try:
            from revops.summary import kpi_summary_lines
        except ImportError:
            kpi_summary_lines = None
        if kpi_summary_lines is not None:
            lines = list(kpi_summary_lines(database))
            metadata["kpi_headlines"] = MetadataValue.md("\n".join(f"- {line}" for line in lines) or "no KPIs")
        link = _data_docs_link(settings.artifacts_dir())
        if link:
            metadata["data_docs"] = MetadataValue.url(link)
        context.log.info(f"run summary: {metadata.get('quarantined_rows')} quarantined rows, layers {layers}")
        return MaterializeResult(metadata=metadata)

    return run_summary


def gx_check_name(suite: str) -> str:
    """The asset check of a mart suite: ``marts.fct_mrr.bridge`` -> ``gx_fct_mrr_bridge``."""
    return "gx_" + suite.removeprefix("marts.").replace(".", "_")


def gx_mart_checks(mart_keys: Mapping[str, AssetKey]):
    """The Great Expectations mart suites (``revops.quality.validate_marts``), each a blocking asset check on the
    mart it validates (``mart_keys``: model name -> asset key), run after the dbt step; they also write the marts'
    Data Docs. A failure stops what reads the mart (publishing, the run summary), as a failing dbt test does."""
    from revops.quality.suites import every_mart_suite

    suites = {s.name: s for s in every_mart_suite() if s.table.split(".")[-1] in mart_keys}
    specs = {
        name: AssetCheckSpec(gx_check_name(name), asset=mart_keys[suite.table.split(".")[-1]], blocking=True,
                             description=f"Great Expectations suite {name}: {suite.description}")
        for name, suite in suites.items()
    }

    @multi_asset_check(name="gx_marts", specs=list(specs.values()), can_subset=True, retry_policy=TRANSIENT_RETRY)
    def _gx_marts(context: AssetCheckExecutionContext):
        from revops.quality import validate_marts

        selected = context.selected_asset_check_keys
        todo = [name for name, spec in specs.items() if spec.key in selected]
        result = validate_marts(settings.duckdb_path(), suites=todo, raise_on_failure=False)
        docs = {"data_docs": MetadataValue.path(str(result.data_docs_index))} if result.data_docs_index else {}
        for name in todo:
            spec = specs[name]
            outcome = next((o for o in result.suites if o.suite == name), None)
            for failure in outcome.failures if outcome else []:
                context.log.error(str(failure))
            if outcome is None:
                description = f"{suites[name].table} not found in the warehouse: materialise " \
                              f"{spec.asset_key.to_user_string()} first"
            else:
                description = "; ".join(str(f) for f in outcome.failures)[:2000] or None
            yield AssetCheckResult(
                asset_key=spec.asset_key,
                check_name=spec.name,
                passed=outcome is not None and outcome.success,
                severity=AssetCheckSeverity.ERROR,
                description=description,
                metadata={
                    "expectations": outcome.expectations if outcome else 0,
                    "failed_expectations": len(outcome.failures) if outcome else 0,
                    "rows": outcome.rows if outcome else 0,
                    **docs,
                },
            )

    return _gx_marts


def latest_dbt_target(runs_dir: Path, run_id: str) -> Path | None:
    """This run's dbt target folder (last attempt), else the newest one: where run_results.json is."""
    own = sorted(runs_dir.glob(f"{run_id[:8]}-*"), key=lambda p: p.stat().st_mtime)
    if own:
        return own[-1]
    every = sorted((p for p in runs_dir.glob("*") if (p / "run_results.json").exists()), key=lambda p: p.stat().st_mtime)
    return every[-1] if every else None


def publish_asset(reads: Sequence[AssetKey], dbt_runs_dir: Path) -> AssetsDefinition:
    """``publish/warehouse``: a read-only copy of the marts for readers (``revops.publish``), after the gates."""

    @asset(
        key=AssetKey(["publish", "warehouse"]),
        deps=list(reads),
        group_name="publish",
        description="Marts copied to a read-only DuckDB file (PII hashed) and `current.duckdb` swapped to it "
                    "(revops.publish); refused when the dbt build had an error.",
        kinds={"duckdb", "python"},
        retry_policy=TRANSIENT_RETRY,
    )
    def publish_warehouse(context: AssetExecutionContext) -> MaterializeResult:
        from revops.publish import publish

        dbt_target = latest_dbt_target(dbt_runs_dir, context.run.run_id)
        if dbt_target is None:
            from dagster import Failure

            raise Failure(f"no dbt build under {dbt_runs_dir}: materialise the dbt models first.", allow_retries=False)
        result = publish(database=settings.duckdb_path(), dbt_target=dbt_target)
        return MaterializeResult(metadata={
            "path": MetadataValue.path(str(result.path)),
            "current": MetadataValue.path(str(result.pointer)),
            "tables": len(result.tables),
            "rows": sum(result.tables.values()),
            "masked_columns": sum(len(v) for v in result.masked.values()),
            "build_id": result.build_id,
        })

    return publish_warehouse
