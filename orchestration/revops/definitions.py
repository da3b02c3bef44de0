"""The Dagster code location of the warehouse: it only wires (``dagster dev`` from the project root, or
``dagster-webserver -m revops.definitions``). Logic lives in the plain ``revops`` modules.

Lineage: raw files -> ``raw/<system>/<table>`` (revops.load) -> blocking raw gate -> dbt staging,
intermediate, marts, quality (dagster-dbt; dbt tests are asset checks) -> Python steps -> run summary.

To add a step: one line in ``PYTHON_STEPS`` (a plain function ``f(database, artifacts_dir)``) or in
``RAW_GATES`` (a function ``f(con, raw_table) -> GateResult``).
"""


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
from revops.dagster_assets.raw import raw_files_sensor, raw_gate_checks, raw_meta_assets, raw_table_assets
from revops.dagster_assets.raw_gate import check_landed_table
from revops.dagster_assets.steps import PythonStep, python_step_assets, run_summary_asset

# Blocking gates on every landed raw table, run before dbt: (check name, function).
RAW_GATES = [
    ("contract_gate", check_landed_table),
    # GX: add the Great Expectations raw suites here when revops.quality lands, e.g.
    # ("gx_raw", revops.quality.<validate raw table>)  (same signature: (con, RawTable) -> GateResult)
]

# Python steps outside dbt, one line each: PythonStep("<group>/<name>", "module:function", reads=[dbt models]).
# Steps whose module does not exist yet are left out until it does.
PYTHON_STEPS = [
    # PythonStep("forecast/revenue_forecast", "revops.forecast:build_forecasts", reads=["<mart model>"]),
    # PythonStep("playbooks/account_playbooks", "revops.playbooks:build_playbooks", reads=["<mart model>"]),
    # PythonStep("quality/data_docs", "revops.quality:build_data_docs", reads=["<mart model>"], writes_warehouse=False),
    # PythonStep("publish/exports", "revops.publish:publish", reads=["<mart model>"], writes_warehouse=False),
]

FULL_REFRESH_JOB = "full_refresh"
DAILY_AT = "0 6 * * *"  # 06:00 UTC, after the nightly exports land


def build_definitions() -> Definitions:
    project = make_project()
    translator = RevopsDbtTranslator()
    dbt_models = build_dbt_assets(project, translator)
    manifest = json.loads(project.manifest_path.read_text())
    models = model_keys(manifest, translator)
    steps, missing_steps = python_step_assets(PYTHON_STEPS, models)
    summary = run_summary_asset(
        list(model_keys(manifest, translator, layers=("marts", "quality")).values())
        + [s.key for s in steps]
    )
    full_refresh = define_asset_job(
        FULL_REFRESH_JOB,
        selection=AssetSelection.all(),
        description="Load every raw table, gate it, dbt build (models + tests), Python steps, run summary.",
    )
    return Definitions(
        assets=[*raw_table_assets(), raw_meta_assets, dbt_models, *steps, summary],
        asset_checks=raw_gate_checks(RAW_GATES),
        jobs=[full_refresh],
        schedules=[
            ScheduleDefinition(
                name="daily_full_refresh",
                job=full_refresh,
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
