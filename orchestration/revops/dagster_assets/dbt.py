"""Every dbt model, seed and test as Dagster assets and asset checks (dagster-dbt).

dbt sources map onto the raw assets (``raw/<system>/<table>``), so the lineage runs raw file -> raw
asset -> staging -> intermediate -> marts. Model keys are ``<layer>/<model>`` (layer = the first folder
under ``models/``: staging, intermediate, marts, quality, semantic), and the layer is the asset group; seeds are
in the group ``reference`` (the published copy and the run summary, defined in ``steps``, are ``publish`` and
``reports``).

The manifest is made at load time when it is missing or older than the project's files (``dbt parse``,
no network), so a fresh clone loads without a build step. ``REVOPS_DBT_TARGET_PATH`` moves dbt's target
folder (default ``target/dagster``, apart from the CLI's ``target/``).
"""


import json
import logging
import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
from dagster import AssetExecutionContext, AssetKey, Failure, Output
from dagster._utils import run_with_concurrent_update_guard
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from revops import settings
from revops.build import (CHANGED_SINCE_ROW, PARSED_FINGERPRINT, build_coverage, build_state_dir, changed_test_scope,
                          code_unchanged, dbt_executable, failed_nodes, load_watermark, on_duckdb_target,
                          project_fingerprint, record_successful_build, scoped_tests_note,
                          unreadable_files_of_failed_parse_models)
from revops.dagster_assets.raw import DUCKDB_POOL, TRANSIENT_RETRY, raw_asset_key
from revops.dagster_assets.transient import is_transient

log = logging.getLogger(__name__)

# Files whose change makes the manifest stale.
PROJECT_SOURCES = ("models", "macros", "tests", "seeds", "snapshots", "analyses", "dbt_project.yml",
                   "profiles.yml", "packages.yml", "dependencies.yml")


def dbt_target_path() -> Path:
    """dbt's target folder for Dagster: ``$REVOPS_DBT_TARGET_PATH`` or ``target/dagster`` (relative to the project)."""
    return Path(os.environ.get("REVOPS_DBT_TARGET_PATH") or "target/dagster")


def make_project() -> DbtProject:
    settings.check_profile_env()  # REVOPS_THREADS (and the target's port, cores) checked as the code location loads
    return DbtProject(project_dir=settings.PROJECT_DIR, profiles_dir=settings.PROJECT_DIR, target_path=dbt_target_path())


def _newest_source_mtime(project_dir: Path) -> float:
    newest = 0.0
    for name in PROJECT_SOURCES:
        path = project_dir / name
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        elif path.is_dir():
            for root, _dirs, files in os.walk(path):
                for f in files:
                    newest = max(newest, (Path(root) / f).stat().st_mtime)
    return newest


def dbt_resource(project: DbtProject) -> DbtCliResource:
    """The dbt CLI of the project's environment (``.venv/bin/dbt``), found even when it is not on PATH."""
    settings.check_profile_env()
    return DbtCliResource(project_dir=project, dbt_executable=dbt_executable())


def ensure_manifest(project: DbtProject) -> Path:
    """The project's manifest, (re)made with ``dbt parse`` when missing or older than a project file.

    This is dagster-dbt's ``prepare_if_dev`` made to work everywhere (a fresh clone, the webserver, CI,
    ``dagster dev``) with the environment's dbt, and only when something changed: every run process loads
    the code location again, and a parse costs seconds. When a parse fails (a model someone is still
    writing) and an older manifest exists, that one is used, with a warning.
    """
    manifest = project.manifest_path
    if manifest.exists() and manifest.stat().st_mtime >= _newest_source_mtime(project.project_dir):
        return manifest
    fingerprint = project_fingerprint()
    try:
        run_with_concurrent_update_guard(
            manifest,
            # in full: it runs only after a project file changed, when dbt's partial parse can lose a model
            # (revops.build.PARSED_FINGERPRINT)
            lambda: dbt_resource(project).cli(["parse", "--quiet", "--no-partial-parse"],
                                              target_path=project.target_path).wait(),
        )
        # the code that parse read, for the runs that start from its partial parse (seed_partial_parse)
        (project.project_dir / project.target_path / PARSED_FINGERPRINT).write_text(fingerprint + "\n")
    except Exception as exc:
        if not manifest.exists():
            raise RuntimeError(
                f"dbt parse failed and there is no manifest at {manifest}; run `dbt parse` in "
                f"{project.project_dir} to see the error: {exc}"
            ) from exc
        log.warning("dbt parse failed (%s); using the older manifest %s", exc, manifest)
    return manifest


def seed_partial_parse(project: DbtProject, run_target: Path, fingerprint: str) -> bool:
    """Start a run's fresh target folder from the load-time parse (``ensure_manifest``) when that parse read the
    current code: dbt then loads it (about a second) instead of parsing the whole project again (about 8 s). After
    a code change it is not copied (False), and the run must parse in full (revops.build.PARSED_FINGERPRINT)."""
    parsed = project.project_dir / project.target_path
    stamp, saved = parsed / PARSED_FINGERPRINT, parsed / "partial_parse.msgpack"
    if not (stamp.exists() and saved.exists() and stamp.read_text().strip() == fingerprint):
        return False
    run_target.mkdir(parents=True, exist_ok=True)
    shutil.copy(saved, run_target / "partial_parse.msgpack")
    return True


def layer_of(props: Mapping[str, Any]) -> str:
    """staging / intermediate / marts / quality for models (first folder under models/), else the resource type."""
    fqn = props.get("fqn") or []
    if props.get("resource_type") == "model":
        return fqn[1] if len(fqn) > 2 else "models"
    if props.get("resource_type") == "seed":
        return "reference"
    return str(props.get("resource_type") or "dbt")


class RevopsDbtTranslator(DagsterDbtTranslator):
    """Sources -> the raw assets' keys; everything else -> ``<layer>/<name>`` in group ``<layer>``."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return raw_asset_key(dbt_resource_props["source_name"], dbt_resource_props["name"])
        return AssetKey([layer_of(dbt_resource_props), dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return "raw"
        return layer_of(dbt_resource_props)


def relations_by_key(manifest: Mapping[str, Any], translator: DagsterDbtTranslator) -> dict[AssetKey, tuple[str, str]]:
    """Asset key -> (schema, relation) of every model and seed in the manifest."""
    out = {}
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") in ("model", "seed", "snapshot"):
            out[translator.get_asset_key(node)] = (node["schema"], node.get("alias") or node["name"])
    return out


def model_keys(manifest: Mapping[str, Any], translator: DagsterDbtTranslator, layers: tuple[str, ...] | None = None) -> dict[str, AssetKey]:
    """Model name -> asset key, optionally only the models of some layers (e.g. ("marts",))."""
    return {
        node["name"]: translator.get_asset_key(node)
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") == "model" and (layers is None or layer_of(node) in layers)
    }


def _row_counts(database: Path, relations: Mapping[AssetKey, tuple[str, str]]) -> dict[AssetKey, int]:
    """Rows of each relation, read after dbt has closed the DuckDB file (one writer at a time)."""
    counts: dict[AssetKey, int] = {}
    if not database.exists() or not relations:
        return counts
    with duckdb.connect(str(database), read_only=True) as con:
        for key, (schema, name) in relations.items():
            try:
                counts[key] = con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
            except duckdb.Error:
                pass
    return counts


def _stop(invocation) -> None:
    process = getattr(invocation, "process", None)
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except Exception:
            process.kill()


def record_covered_build(context: AssetExecutionContext, database: Path, target: Path, watermark: object,
                         fingerprint: str) -> bool:
    """After a successful dbt run: move the mark of `revops build --changed` (raw_meta.build_state) when the run
    covered what that command would build (revops.build.build_coverage), so the CLI does not rebuild it."""
    results_file, manifest_file = target / "run_results.json", target / "manifest.json"
    if not (on_duckdb_target() and results_file.exists() and manifest_file.exists()):
        return False
    executed = {r["unique_id"] for r in json.loads(results_file.read_text())["results"]
                if r["status"] in ("success", "pass", "warn")}
    state_dir = build_state_dir()
    covered = build_coverage(database, state_dir, json.loads(manifest_file.read_text()), executed, fingerprint)
    if covered is None:
        context.log.info("this run built part of what `revops build --changed` would: its mark stays")
        return False
    record_successful_build(database, target, state_dir, f"dagster run {context.run.run_id[:8]}: {covered}",
                            watermark, fingerprint)
    context.log.info(f"moved the mark of `revops build --changed`: this run built {covered}")
    return True


@contextmanager
def _changed_test_scope(context: AssetExecutionContext, database: Path, fingerprint: str) -> Iterator[None]:
    """While dbt starts: REVOPS_CHANGED_SINCE_ROW as `revops build --changed` sets it, so the tests of the large
    views read only their rows arrived since the last successful build (macro get_where_subquery): with that
    build's code, for the views whose tables were not reloaded since. Otherwise every row is tested."""
    scope = changed_test_scope(database) \
        if on_duckdb_target() and database.exists() and code_unchanged(build_state_dir(), fingerprint) else {}
    if scope:
        context.log.info(scoped_tests_note(scope))
    before = os.environ.get(CHANGED_SINCE_ROW)
    os.environ.pop(CHANGED_SINCE_ROW, None)
    if scope:
        os.environ[CHANGED_SINCE_ROW] = json.dumps(scope)
    try:
        yield
    finally:
        os.environ.pop(CHANGED_SINCE_ROW, None)
        if before is not None:
            os.environ[CHANGED_SINCE_ROW] = before


def build_dbt_assets(project: DbtProject, translator: RevopsDbtTranslator | None = None):
    """The dbt multi-asset: ``dbt build`` of the selected models, tests as asset checks, row counts as metadata."""
    translator = translator or RevopsDbtTranslator()
    manifest_path = ensure_manifest(project)

    @dbt_assets(
        manifest=manifest_path,
        project=project,
        dagster_dbt_translator=translator,
        name="dbt_models",
        retry_policy=TRANSIENT_RETRY,
        pool=DUCKDB_POOL,
    )
    def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator:
        # A target folder per run and attempt: a retry never reads a half-written partial parse.
        target = project.project_dir / project.target_path / "runs" / f"{context.run.run_id[:8]}-{context.retry_number}"
        database = settings.duckdb_path()
        if database.exists():
            from revops.load import stale_raw_files

            stale = stale_raw_files(database)
            if stale:  # Parquet read in place changed since it was landed: the views would read other rows
                raise Failure(description="raw Parquet files changed since they were landed (materialize the "
                              "raw assets again first): " + "; ".join(stale[:5]), allow_retries=False)
        # what the build starts from, for the mark `revops build --changed` reads (record_covered_build)
        watermark, fingerprint = load_watermark(database), project_fingerprint()
        # Without the load-time parse of this code, parse in full: dagster-dbt would otherwise copy in the CLI's
        # target/partial_parse.msgpack, which may be of older code (revops.build.PARSED_FINGERPRINT)
        args = ["build"] if seed_partial_parse(project, target, fingerprint) else ["build", "--no-partial-parse"]
        with _changed_test_scope(context, database, fingerprint):  # dbt takes its environment when it starts
            invocation = dbt.cli(args, context=context, target_path=target, raise_on_error=False)
        # DuckDB: the dbt process holds the file while it runs, so events are collected and the row
        # counts read once it has finished.
        try:
            events = list(invocation.stream())
        except Exception as exc:
            _stop(invocation)  # never leave a dbt process holding the warehouse behind
            if isinstance(exc, KeyError):
                raise Failure(
                    f"dbt ran node {exc} that is not in the manifest the code location loaded: the dbt "
                    "project changed since; reload the code location (or restart `make ui`).",
                    allow_retries=False,
                ) from exc
            raise
        ok = invocation.is_successful()
        output_keys = {context.asset_key_for_output(e.output_name) for e in events if isinstance(e, Output)}
        relations = {k: v for k, v in relations_by_key(invocation.manifest, translator).items() if k in output_keys}
        counts = _row_counts(settings.duckdb_path(), relations)
        for event in events:
            if isinstance(event, Output):
                key = context.asset_key_for_output(event.output_name)
                if key in counts:
                    event = event.with_metadata({**event.metadata, "dagster/row_count": counts[key]})
            yield event
        if ok:
            try:
                record_covered_build(context, database, target, watermark, fingerprint)
            except (duckdb.Error, OSError) as exc:  # the models are built: a mark not moved costs a rebuild only
                context.log.warning(f"could not move the mark of `revops build --changed`: {exc}")
        else:
            log_file = target / "dbt.log"
            log_text = log_file.read_text(errors="replace")[-200_000:] if log_file.exists() else ""
            error = invocation.get_error()
            if is_transient(log_text):
                raise RuntimeError(f"dbt build hit a transient error (retried by the retry policy): {error}")
            # a damaged Parquet data page fails its parse model with DuckDB's error, which may not name the file
            damaged = unreadable_files_of_failed_parse_models(database, failed_nodes(target / "run_results.json"))
            raise Failure(description="".join(f"raw file {problem}\n" for problem in damaged) + str(error),
                          allow_retries=False)

    return dbt_models
