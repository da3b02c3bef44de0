"""The Dagster code location of the warehouse: it only wires (``dagster dev`` from the project root, or
``dagster-webserver -m revops.definitions``). Logic lives in the plain ``revops`` modules.

Lineage: raw files -> ``raw/<system>/<table>`` (revops.load) -> blocking raw gates (contract + Great
Expectations) -> dbt staging, intermediate, marts, quality (dagster-dbt; dbt tests are asset checks, and each GX
mart suite is a blocking asset check on its mart) -> publish; Python steps and the run summary after the marts.

To add a step: one line in ``PYTHON_STEPS`` (a plain function ``f(database, artifacts_dir)``) or in
``RAW_GATES`` (a function ``f(con, raw_table) -> GateResult``).
"""


import importlib.util
import json

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    Definitions,
    ScheduleDefinition,
    define_asset_job,
    in_process_executor,
)
from revops.dagster_assets.dbt import RevopsDbtTranslator, build_dbt_assets, dbt_resource, make_project, model_keys
from revops.dagster_assets.raw import gx_raw_check, raw_files_sensor, raw_gate_checks, raw_meta_assets, raw_table_assets
from revops.dagster_assets.raw_gate import check_landed_table
from revops.dagster_assets.steps import (
    PythonStep,  # noqa: F401  (used by the one-line entries of PYTHON_STEPS)
    gx_mart_checks,
    publish_asset,
    python_step_assets,
    run_summary_asset,
)

# Blocking gates on every landed raw table, run before dbt: (check name, function (con, RawTable) -> GateResult).
# The Great Expectations raw suites (revops.quality.validate_raw) run as the blocking check `gx_raw` beside them.
RAW_GATES = [
    ("contract_gate", check_landed_table),
]

# Python steps outside dbt, one line each: PythonStep("<group>/<name>", "module:function", reads=[dbt models]).
# Steps whose module does not exist yet are left out until it does.
# (Forecasts are dbt Python models, so they are dbt assets already; publishing is wired below because it needs
# the run's dbt target, and the GX mart suites are asset checks on the marts.)
PYTHON_STEPS = [
    # PythonStep("playbooks/account_playbooks", "revops.playbooks:build_playbooks", reads=["<mart model>"]),
]

FULL_REFRESH_JOB = "full_refresh"
DAILY_AT = "0 6 * * *"  # 06:00 UTC, after the nightly exports land
DAILY_AT_TEXT = "06:00 UTC"  # DAILY_AT said for people (the schedule's description)


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def build_definitions() -> Definitions:
    project = make_project()
    translator = RevopsDbtTranslator()
    dbt_models = build_dbt_assets(project, translator)
    manifest = json.loads(project.manifest_path.read_text())
    models = model_keys(manifest, translator)
    mart_keys = model_keys(manifest, translator, layers=("marts",))
    marts = list(mart_keys.values())
    steps, missing_steps = python_step_assets(PYTHON_STEPS, models)
    # The run summary reads the marts, the quality models and the plain steps (not publishing). A blocking check
    # that fails on a mart (a dbt test of error severity, a GX mart suite) stops it, as it stops publishing.
    summary = run_summary_asset(
        marts + list(model_keys(manifest, translator, layers=("quality",)).values()) + [s.key for s in steps]
    )
    checks = raw_gate_checks(RAW_GATES)
    if _installed("revops.quality"):
        checks.append(gx_raw_check())
        checks.append(gx_mart_checks(mart_keys))
    if _installed("revops.publish"):
        # the marts' blocking checks (dbt tests, GX suites) gate it
        steps.append(publish_asset(marts, project.project_dir / project.target_path / "runs"))
    full_refresh = define_asset_job(
        FULL_REFRESH_JOB,
        selection=AssetSelection.all(),
        description="Load every raw table, gate it, dbt build (models + tests), Python steps, run summary.",
    )
    return Definitions(
        assets=[*raw_table_assets(), raw_meta_assets, dbt_models, *steps, summary],
        asset_checks=checks,
        jobs=[full_refresh],
        schedules=[
            ScheduleDefinition(
                name="daily_full_refresh",
                job=full_refresh,
                description=f"Every day at {DAILY_AT_TEXT}, after the nightly exports land: the whole "
                            f"`{FULL_REFRESH_JOB}` job (load every raw table, raw gates, dbt build of every model "
                            "and test, GX mart suites, publish, run summary). Running by default, unlike "
                            "raw_files_sensor.",
                cron_schedule=DAILY_AT,
                execution_timezone="UTC",
                default_status=DefaultScheduleStatus.RUNNING,
            )
        ],
        sensors=[raw_files_sensor(FULL_REFRESH_JOB)],
        resources={"dbt": dbt_resource(project)},
        # DuckDB takes one writer process: every step of a run runs in the run's own process, one at a time.
        executor=in_process_executor,
        metadata={"python_steps_not_installed_yet": ", ".join(missing_steps) or "none"},
    )


defs = build_definitions()
