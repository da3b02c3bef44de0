"""The Dagster code location: it loads, materialises every asset on a small sample with its checks passing,
a failing raw gate stops everything downstream, the sensor notices changed files and runs only what they
reach, and the webserver serves the whole asset graph.

Everything runs in temporary folders (warehouse, raw files, dbt target, Dagster home); about 2 minutes.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from revops.contract import get_table, raw_tables

# Half the default sample: small enough to keep this file near 2 minutes, large enough for the Great
# Expectations raw suites' null-rate thresholds (at 0.2, 2 planted null ids in 140 zendesk users exceed 1 %).
SCALE = float(os.environ.get("REVOPS_DAGSTER_TEST_SCALE", "0.5"))
VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """Environment of the code location: a generated sample and temporary warehouse, target and home."""
    from revops.generator import generate

    root = tmp_path_factory.mktemp("dagster")
    raw, truth = root / "raw", root / "truth"
    generate(raw, truth, seed=42, scale=SCALE)
    values = {
        "REVOPS_RAW_DIR": str(raw),
        "REVOPS_DUCKDB_PATH": str(root / "warehouse.duckdb"),
        "REVOPS_DBT_TARGET_PATH": str(root / "target"),
        "REVOPS_ARTIFACTS_DIR": str(root / "artifacts"),
        "DAGSTER_HOME": str(root / "home"),
        "DO_NOT_TRACK": "1",
    }
    (root / "home").mkdir()
    with pytest.MonkeyPatch.context() as mp:
        for key, value in values.items():
            mp.setenv(key, value)
        yield {"root": root, **values}


@pytest.fixture(scope="module")
def loaded(env):
    """(revops.definitions module, manifest dict), loaded from a target folder with no manifest yet."""
    manifest_path = Path(env["REVOPS_DBT_TARGET_PATH"]) / "manifest.json"
    assert not manifest_path.exists()
    if "revops.definitions" in sys.modules:
        module = importlib.reload(sys.modules["revops.definitions"])
    else:
        module = importlib.import_module("revops.definitions")
    assert manifest_path.exists(), "loading the code location did not produce the dbt manifest"
    return module, json.loads(manifest_path.read_text())


def _model_keys(manifest: dict) -> set[tuple[str, ...]]:
    from revops.dagster_assets.dbt import RevopsDbtTranslator

    translator = RevopsDbtTranslator()
    return {
        tuple(translator.get_asset_key(n).path)
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model"
    }


def test_definitions_load_and_validate(loaded):
    from dagster import AssetKey, AssetSelection, Definitions

    module, manifest = loaded
    defs = module.defs
    Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    keys = {tuple(k.path) for k in graph.get_all_asset_keys()}
    assert {("raw", t.system, t.table) for t in raw_tables()} <= keys
    models = _model_keys(manifest)
    assert len(models) >= 40 and models <= keys
    # dbt sources resolve to the raw assets: lineage raw file -> raw asset -> staging -> marts.
    upstream = AssetSelection.assets(AssetKey(["staging", "stg_salesforce__account"])).upstream().resolve(graph)
    assert AssetKey(["raw", "salesforce", "account"]) in upstream
    for key in graph.get_all_asset_keys():
        assert graph.get(key).is_materializable, f"{key.to_user_string()} is not materialisable (unmapped dbt source?)"
    assert defs.resolve_job_def("full_refresh") is not None
    schedule = defs.resolve_schedule_def("daily_full_refresh")
    assert schedule.cron_schedule == "0 6 * * *" and "06:00 UTC" in schedule.description
    assert defs.resolve_sensor_def("raw_files_sensor") is not None
    gate_checks = [k for k in graph.asset_check_keys if k.name == "contract_gate"]
    assert len(gate_checks) == len(raw_tables())
    # one check per GX mart suite, on its mart (no separate GX asset), blocking what reads the mart
    from revops.quality.suites import mart_suite_relations

    assert len(GX_MART_CHECKS) == len(mart_suite_relations())
    gx_marts = {k.name: k.asset_key.path for k in graph.asset_check_keys if k.name in GX_MART_CHECKS}
    assert gx_marts == GX_MART_CHECKS
    assert all(graph.get(k).blocking for k in graph.asset_check_keys if k.name in GX_MART_CHECKS)
    assert not any(k.path[0] == "quality" and k.path[-1].startswith("gx") for k in graph.get_all_asset_keys())
    # Every dbt data test is an asset check, none a bare AssetObservation: dagster-dbt attaches a singular test
    # that reads several models to the model its meta names (dagster.ref).
    tests = _data_tests(manifest)
    dbt_checks = {k.name: k for k in graph.asset_check_keys if k.name not in NON_DBT_CHECKS}
    assert set(dbt_checks) == set(tests), f"dbt tests that are not checks: {sorted(set(tests) - set(dbt_checks))}"
    for name, test in tests.items():
        ref = (test["config"].get("meta") or {}).get("dagster", {}).get("ref")
        if ref:
            assert dbt_checks[name].asset_key.path[-1] == ref["name"], name
    assert {name: dbt_checks[name].asset_key.path for name in SEVERAL_MODEL_TESTS} == SEVERAL_MODEL_TESTS


# Singular tests that read several models, and the asset their check is on (their meta dagster.ref).
SEVERAL_MODEL_TESTS = {
    "assert_mrr_ledger_keeps_every_company_month": ["marts", "fct_mrr"],
    "assert_billing_companies_match_identity_marts": ["intermediate", "int_billing_customers__companies"],
    "assert_mrr_kpi_monthly_matches_ledger": ["marts", "kpi_monthly"],
    "assert_kpi_monthly_keeps_all_spend": ["marts", "kpi_monthly"],
    "assert_kpi_monthly_by_channel_adds_up": ["marts", "kpi_monthly_by_channel"],
    "assert_invoice_lines_add_up_to_their_header": ["staging", "stg_stripe__invoice"],
}


# The Great Expectations mart suites, each a check on the mart it validates.
GX_MART_CHECKS = {
    "gx_fct_mrr": ["marts", "fct_mrr"],
    "gx_fct_mrr_bridge": ["marts", "fct_mrr"],
    "gx_kpi_monthly": ["marts", "kpi_monthly"],
    "gx_xref_companies_completeness": ["marts", "xref_companies"],
    "gx_fct_revenue_leakage": ["marts", "fct_revenue_leakage"],
}
NON_DBT_CHECKS = {"contract_gate", "gx_raw", *GX_MART_CHECKS}


def _data_tests(manifest: dict) -> dict[str, dict]:
    """dbt's data tests (generic and singular; unit tests are not assets) by name."""
    return {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "test"}


def test_full_refresh_materialises_everything_and_checks_pass(loaded, env):
    from dagster import AssetCheckSeverity, DagsterInstance

    module, manifest = loaded
    result = module.defs.resolve_job_def("full_refresh").execute_in_process(
        instance=DagsterInstance.ephemeral(), raise_on_error=False
    )
    failures = [e.event_specific_data.error.message[:1500] for e in result.all_events if e.is_step_failure]
    assert result.success, "full refresh failed:\n" + "\n".join(failures)

    materialised = {tuple(e.asset_key.path): e for e in result.get_asset_materialization_events()}
    assert _model_keys(manifest) <= set(materialised), "dbt models not materialised"
    account = materialised[("raw", "salesforce", "account")].materialization.metadata
    assert account["rows_loaded"].value > 0
    staging = materialised[("staging", "stg_salesforce__account")].materialization.metadata
    assert staging["dagster/row_count"].value > 0

    checks = result.get_asset_check_evaluations()
    dbt_checks = [c for c in checks if c.check_name not in NON_DBT_CHECKS]
    # every dbt data test ran and was evaluated as a check (a test without one is logged as an AssetObservation)
    assert {c.check_name for c in dbt_checks} == set(_data_tests(manifest))
    gate = [c for c in checks if c.check_name == "contract_gate"]
    assert len(gate) == len(raw_tables()) and all(c.passed for c in gate)
    gx_raw = [c for c in checks if c.check_name == "gx_raw"]
    assert len(gx_raw) == len(raw_tables()), "the Great Expectations raw gate did not run on every raw table"
    assert all(c.passed for c in gx_raw), [c.description for c in gx_raw if not c.passed][:3]
    gx_marts = {c.check_name: c for c in checks if c.check_name in GX_MART_CHECKS}
    assert {name: c.asset_key.path for name, c in gx_marts.items()} == GX_MART_CHECKS
    assert all(c.passed for c in gx_marts.values()), [c.description for c in gx_marts.values() if not c.passed]
    assert gx_marts["gx_fct_mrr"].metadata["expectations"].value == 6
    assert gx_marts["gx_fct_mrr"].metadata["rows"].value > 0
    assert len(dbt_checks) >= 50
    errors = [c.asset_check_key for c in dbt_checks if not c.passed and c.severity == AssetCheckSeverity.ERROR]
    assert not errors, f"dbt tests failed: {errors}"

    assert ("publish", "warehouse") in materialised
    # the run built everything: `revops build --changed` has nothing left to do after it
    assert _last_build_mark(env) == ("everything", [])

    # With that build's code, a later run's tests of the large views read only the rows arrived since, as in
    # `revops build --changed`: the marks reach dbt (macro get_where_subquery).
    import duckdb
    from dagster import AssetKey

    with duckdb.connect(env["REVOPS_DUCKDB_PATH"], read_only=True) as con:
        mark = con.execute("select max(_source_row) from staging.base_hubspot__email_event").fetchone()[0]
    view = AssetKey(["staging", "stg_hubspot__email_event"])
    again = module.defs.resolve_job_def("full_refresh").execute_in_process(
        instance=DagsterInstance.ephemeral(), asset_selection=[view], raise_on_error=False)
    assert again.success
    (compiled,) = (Path(env["REVOPS_DBT_TARGET_PATH"]) / "runs" / f"{again.run_id[:8]}-0" / "compiled").rglob(
        "unique_stg_hubspot__email_event_email_event_id.sql")
    assert f"where _source_row > {mark})" in compiled.read_text()
    # the run started from the load-time parse of the same code (seed_partial_parse): dbt did not parse it all again
    run_log = (Path(env["REVOPS_DBT_TARGET_PATH"]) / "runs" / f"{again.run_id[:8]}-0" / "dbt.log").read_text()
    assert "Unable to do partial parsing" not in run_log, run_log[:3000]
    assert "REVOPS_CHANGED_SINCE_ROW" not in os.environ  # set for dbt's start only
    summary = materialised[("reports", "run_summary")].materialization.metadata
    assert summary["rows_staging"].value > 0
    assert summary["quarantined_rows"].value >= 0
    assert summary["unbalanced_raw_tables"].value == 0


def test_failing_gx_mart_suite_fails_its_check_on_the_mart_and_stops_what_reads_it(loaded, env, tmp_path,
                                                                                  monkeypatch):
    """Negative MRR in fct_mrr fails the checks of its two suites (each its own check on marts/fct_mrr, naming the
    expectation), not the other marts' checks, and the blocking checks stop the asset that reads the mart."""
    import duckdb
    from dagster import AssetKey, Definitions, asset

    from revops.dagster_assets.steps import gx_mart_checks

    module, _ = loaded
    with duckdb.connect(env["REVOPS_DUCKDB_PATH"]) as con:  # the marts the full refresh built
        built = con.execute("select count(*) from information_schema.tables where table_name = 'fct_mrr'").fetchone()[0]
    if not built:  # this test alone: build everything first
        from dagster import DagsterInstance

        assert module.defs.resolve_job_def("full_refresh").execute_in_process(
            instance=DagsterInstance.ephemeral(), raise_on_error=False).success
    database = tmp_path / Path(env["REVOPS_DUCKDB_PATH"]).name  # same file name: the views name the catalog
    shutil.copyfile(env["REVOPS_DUCKDB_PATH"], database)
    with duckdb.connect(str(database)) as con:
        con.execute("update marts.fct_mrr set mrr = -mrr "
                    "where mrr > 0 and month = (select max(month) from marts.fct_mrr)")
    monkeypatch.setenv("REVOPS_DUCKDB_PATH", str(database))
    monkeypatch.setenv("REVOPS_ARTIFACTS_DIR", str(tmp_path / "artifacts"))

    marts = {name: AssetKey(["marts", name]) for name in ("fct_mrr", "kpi_monthly")}
    read = []

    @asset(key=marts["fct_mrr"])
    def fct_mrr() -> None:  # stands for the dbt step: the table is there already
        return None

    @asset(key=marts["kpi_monthly"])
    def kpi_monthly() -> None:
        return None

    @asset(key=AssetKey(["publish", "warehouse"]), deps=[marts["fct_mrr"]])
    def reads_fct_mrr() -> None:
        read.append(True)

    defs = Definitions(assets=[fct_mrr, kpi_monthly, reads_fct_mrr], asset_checks=[gx_mart_checks(marts)])
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(raise_on_error=False)
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert set(checks) == {"gx_fct_mrr", "gx_fct_mrr_bridge", "gx_kpi_monthly"}  # the marts given only
    assert not checks["gx_fct_mrr"].passed and not checks["gx_fct_mrr_bridge"].passed
    assert checks["gx_kpi_monthly"].passed
    assert "expect_column_values_to_be_between failed on marts.fct_mrr.mrr" in checks["gx_fct_mrr"].description
    assert "bridge_gap" in checks["gx_fct_mrr_bridge"].description
    assert checks["gx_fct_mrr"].metadata["failed_expectations"].value >= 1
    assert not read, "an asset reading the mart ran although its blocking GX check failed"
    assert (tmp_path / "artifacts" / "data_docs" / "marts" / "index.html").exists()


def _last_build_mark(env) -> tuple[str, list]:
    """What the last successful build recorded in raw_meta.build_state covered (after `dagster run <id>: `),
    and the raw tables loaded since (what `revops build --changed` would rebuild)."""
    import duckdb

    from revops.build import tables_loaded_since_last_build

    database = Path(env["REVOPS_DUCKDB_PATH"])
    with duckdb.connect(str(database), read_only=True) as con:
        (selection,) = con.execute("select selection from raw_meta.build_state order by finished_at desc limit 1"
                                   ).fetchone()
    assert selection.startswith("dagster run "), selection
    return selection.split(": ", 1)[1], tables_loaded_since_last_build(database)


def test_failing_raw_gate_stops_downstream(loaded, env, tmp_path, monkeypatch):
    """An account file whose key column is empty lands, fails the blocking gate, and dbt never runs."""
    from dagster import AssetKey, AssetSelection, DagsterEventType, DagsterInstance

    from revops.dagster_assets.raw_gate import check_landed_table

    module, _ = loaded
    table = get_table("salesforce", "account")
    raw = tmp_path / "raw"
    (raw / "salesforce").mkdir(parents=True)
    header = list(table.columns)
    rows = [",".join("" if c == "id" else f"{c}_{i}" for c in header) for i in range(20)]
    (raw / "salesforce" / "account.csv").write_text(",".join(header) + "\n" + "\n".join(rows) + "\n")
    monkeypatch.setenv("REVOPS_RAW_DIR", str(raw))
    monkeypatch.setenv("REVOPS_DUCKDB_PATH", str(tmp_path / "corrupt.duckdb"))

    key = AssetKey(["raw", "salesforce", "account"])
    selection = AssetSelection.assets(key).downstream().resolve(module.defs.resolve_asset_graph())
    assert AssetKey(["staging", "stg_salesforce__account"]) in selection
    result = module.defs.resolve_job_def("full_refresh").execute_in_process(
        instance=DagsterInstance.ephemeral(), asset_selection=list(selection), raise_on_error=False
    )
    assert not result.success
    materialised = {e.asset_key for e in result.get_asset_materialization_events()}
    assert key in materialised, "the raw table should land so people can inspect it"
    assert not any(k.path[0] in ("staging", "intermediate", "marts", "quality") for k in materialised)
    gate = [c for c in result.get_asset_check_evaluations() if c.asset_key == key and c.check_name == "contract_gate"]
    assert gate and not gate[0].passed and "key column 'id' is empty in 20 of 20 rows" in gate[0].description
    dbt_events = {e.event_type for e in result.all_events if e.step_key == "dbt_models"}
    assert DagsterEventType.STEP_START not in dbt_events, "dbt ran although the raw gate failed"
    failed_steps = {e.step_key for e in result.all_events if e.is_step_failure}
    assert "raw_gate_contract_gate" in failed_steps and all(s.startswith("raw_gate_") for s in failed_steps)

    # The plain gate function gives the same verdict without Dagster.
    import duckdb

    with duckdb.connect(str(tmp_path / "corrupt.duckdb"), read_only=True) as con:
        verdict = check_landed_table(con, table)
    assert not verdict.passed and verdict.rows == 20 and verdict.null_key_rows == 20


def test_sensor_requests_a_run_when_raw_files_change(env, tmp_path, monkeypatch):
    from dagster import DagsterInstance, RunRequest, build_sensor_context

    from revops.dagster_assets.raw import raw_files_sensor

    raw = tmp_path / "raw"
    shutil.copytree(Path(env["REVOPS_RAW_DIR"]) / "finance", raw / "finance")
    monkeypatch.setenv("REVOPS_RAW_DIR", str(raw))
    sensor = raw_files_sensor("full_refresh")
    with DagsterInstance.ephemeral() as instance:
        first = sensor.evaluate_tick(build_sensor_context(instance=instance))
        assert len(first.run_requests) == 1 and isinstance(first.run_requests[0], RunRequest)
        assert "finance.fx_rate" in first.run_requests[0].tags["revops/changed_tables"]
        again = sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=first.cursor))
        assert not again.run_requests and again.skip_message
        fx = raw / "finance" / "fx_rate.csv"
        fx.write_text(fx.read_text() + fx.read_text().splitlines()[-1] + "\n")
        changed = sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=first.cursor))
        assert len(changed.run_requests) == 1
        assert changed.run_requests[0].tags["revops/changed_tables"] == "finance.fx_rate"
        assert changed.run_requests[0].run_key != first.run_requests[0].run_key
        (raw / "finance" / "budget.csv").write_text("month,amount\n2026-01,100\n")  # no table of the contract
        stray = sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=changed.cursor))
        assert not stray.run_requests and "outside the raw contract" in stray.skip_message
        assert "finance/budget.csv" in stray.skip_message
        again = sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=stray.cursor))
        assert not again.run_requests and "no new or changed files" in again.skip_message


def test_sensor_run_covers_only_the_changed_table_and_what_reads_it(loaded, env, tmp_path, monkeypatch):
    """In its code location, the sensor's run after one table's file changed selects that raw table and everything
    downstream of it, nothing else; the run succeeds on the warehouse the full refresh built, the other tables'
    assets untouched."""
    import duckdb
    from dagster import AssetKey, AssetSelection, DagsterInstance, build_sensor_context

    module, _ = loaded
    defs = module.defs
    job = defs.resolve_job_def("full_refresh")
    with duckdb.connect(env["REVOPS_DUCKDB_PATH"]) as con:  # the run reads what the full refresh built
        built = con.execute("select count(*) from information_schema.tables where table_name = 'fct_mrr'").fetchone()[0]
    if not built:  # this test alone: build everything first
        assert job.execute_in_process(instance=DagsterInstance.ephemeral(), raise_on_error=False).success
    raw = tmp_path / "raw"
    shutil.copytree(env["REVOPS_RAW_DIR"], raw)
    monkeypatch.setenv("REVOPS_RAW_DIR", str(raw))
    sensor = defs.resolve_sensor_def("raw_files_sensor")
    with DagsterInstance.ephemeral() as instance:
        first = sensor.evaluate_tick(build_sensor_context(instance=instance, definitions=defs))
        assert len(first.run_requests) == 1 and first.run_requests[0].asset_selection is None  # all new: whole job
        ratings = raw / "zendesk" / "satisfaction_rating.csv"
        ratings.write_text(ratings.read_text() + ratings.read_text().splitlines()[-1] + "\n")  # a re-sent row
        tick = sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=first.cursor, definitions=defs))
    (request,) = tick.run_requests
    assert request.tags["revops/changed_tables"] == "zendesk.satisfaction_rating"
    changed = AssetKey(["raw", "zendesk", "satisfaction_rating"])
    graph = defs.resolve_asset_graph()
    selection = set(request.asset_selection)
    assert selection == AssetSelection.assets(changed).downstream().resolve(graph)
    reached = {AssetKey(["staging", "stg_zendesk__satisfaction_rating"]), AssetKey(["reports", "run_summary"])}
    assert {changed, *reached} <= selection
    untouched = {AssetKey(["raw", "salesforce", "account"]), AssetKey(["staging", "stg_salesforce__account"]),
                 AssetKey(["raw", "stripe", "invoice"]), AssetKey(["marts", "fct_mrr"])}
    assert not selection & untouched
    assert len(selection) < len(graph.get_all_asset_keys()) / 2

    result = job.execute_in_process(instance=DagsterInstance.ephemeral(), asset_selection=list(request.asset_selection),
                                    tags=request.tags, raise_on_error=False)
    failures = [e.event_specific_data.error.message[:1500] for e in result.all_events if e.is_step_failure]
    assert result.success, "the sensor's run failed:\n" + "\n".join(failures)
    materialised = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialised == selection
    loaded_rows = [e for e in result.get_asset_materialization_events() if e.asset_key == changed]
    assert loaded_rows[0].materialization.metadata["rows_loaded"].value > 0
    summary = [e for e in result.get_asset_materialization_events()
               if e.asset_key == AssetKey(["reports", "run_summary"])]
    assert summary[0].materialization.metadata["unbalanced_raw_tables"].value == 0  # the re-sent row is accounted for
    # it built all that the new load reaches: the mark of `revops build --changed` moved past it
    assert _last_build_mark(env) == ("what the raw tables loaded since the last successful build reach: "
                                     "zendesk.satisfaction_rating", [])

    # A hand-picked part of that (the raw table and its staging view alone) leaves the mark where it was.
    ratings.write_text(ratings.read_text() + ratings.read_text().splitlines()[-2] + "\n")
    part = [changed, AssetKey(["staging", "stg_zendesk__satisfaction_rating"])]
    result = job.execute_in_process(instance=DagsterInstance.ephemeral(), asset_selection=part, raise_on_error=False)
    assert result.success
    assert _last_build_mark(env)[1] == [("zendesk", "satisfaction_rating")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.loads(response.read())


def test_webserver_serves_every_dbt_model(loaded, env):
    _, manifest = loaded
    port = _free_port()
    log = env["root"] / "webserver.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(VENV_BIN / "dagster-webserver"), "-m", "revops.definitions", "-h", "127.0.0.1", "-p", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=os.environ.copy(), start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        data = None
        while time.monotonic() < deadline:
            assert proc.poll() is None, "webserver exited:\n" + log.read_text()[-3000:]
            try:
                data = _graphql(port, "{ assetNodes { assetKey { path } } }")
                if data.get("data", {}).get("assetNodes"):
                    break
            except OSError:
                pass
            time.sleep(1)
        assert data and data.get("data"), f"no answer from the webserver:\n{log.read_text()[-3000:]}"
        served = {tuple(n["assetKey"]["path"]) for n in data["data"]["assetNodes"]}
        missing = _model_keys(manifest) - served
        assert not missing, f"dbt models missing from the UI: {sorted(missing)[:10]}"
        assert ("raw", "salesforce", "account") in served and ("reports", "run_summary") in served
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode is not None


def test_dbt_does_not_run_on_parquet_changed_since_it_was_landed(loaded, env, tmp_path, monkeypatch):
    """Parquet is read in place: a file rewritten after its raw asset landed it stops the dbt step, naming it."""
    import duckdb
    from dagster import AssetKey, DagsterInstance

    from revops.load import load_all

    module, _ = loaded
    table = get_table("salesforce", "account")
    part = tmp_path / "raw" / "salesforce" / "account" / "part-00000.parquet"
    part.parent.mkdir(parents=True)

    def write(rows: int) -> None:
        columns = ", ".join(f"'{c}_' || i as {c}" for c in table.columns)
        with duckdb.connect() as con:
            con.execute(f"copy (select {columns} from range({rows}) as t(i)) to '{part}' (format parquet)")

    write(1)
    database = tmp_path / "stale.duckdb"
    load_all(tmp_path / "raw", database, tables=[table], progress=False)
    write(2)
    monkeypatch.setenv("REVOPS_RAW_DIR", str(tmp_path / "raw"))
    monkeypatch.setenv("REVOPS_DUCKDB_PATH", str(database))
    result = module.defs.resolve_job_def("full_refresh").execute_in_process(
        instance=DagsterInstance.ephemeral(), asset_selection=[AssetKey(["staging", "stg_salesforce__account"])],
        raise_on_error=False,
    )
    assert not result.success
    failures = [e for e in result.all_events if e.is_step_failure and e.step_key == "dbt_models"]
    message = failures[0].step_failure_data.user_failure_data.description if failures else ""
    assert "changed since they were landed" in message and str(part.resolve()) in message


def test_a_damaged_parquet_data_page_is_named_in_the_dbt_step_failure(loaded, env, tmp_path, monkeypatch):
    """A Parquet file whose footer is sound lands; its parse model then fails with DuckDB's "don't know what type:",
    naming no file. The dbt step's failure names it."""
    import duckdb
    from dagster import AssetKey, DagsterInstance

    from revops.load import load_all

    module, _ = loaded
    table = get_table("finance", "fx_rate")
    folder = tmp_path / "raw" / table.system / table.table
    folder.mkdir(parents=True)
    part = folder / "part-00000.parquet"
    with duckdb.connect() as con:
        con.execute(f"copy (select '2024-01-01' as date, 'EUR' as currency, '1.08' as rate_to_usd, "
                    f"'2026-11-02T02:00:00Z' as _loaded_at from range(1000)) to '{part}' "
                    "(format parquet, compression uncompressed)")
        offset = con.execute("select data_page_offset from parquet_metadata(?) where path_in_schema = 'currency'",
                             [str(part)]).fetchone()[0]
    data = bytearray(part.read_bytes())
    data[offset:offset + 6] = b"\x7f" * 6  # the page header of the currency column's first data page
    part.write_bytes(bytes(data))
    database = tmp_path / "damaged.duckdb"
    load_all(tmp_path / "raw", database, tables=[table], progress=False)
    monkeypatch.setenv("REVOPS_RAW_DIR", str(tmp_path / "raw"))
    monkeypatch.setenv("REVOPS_DUCKDB_PATH", str(database))
    result = module.defs.resolve_job_def("full_refresh").execute_in_process(
        instance=DagsterInstance.ephemeral(), raise_on_error=False,
        asset_selection=[AssetKey(["reference", "currencies"]), AssetKey(["staging", "base_finance__fx_rate"])],
    )
    assert not result.success
    failures = [e for e in result.all_events if e.is_step_failure and e.step_key == "dbt_models"]
    message = failures[0].step_failure_data.user_failure_data.description if failures else ""
    assert f"raw file finance.fx_rate: {part.resolve()} cannot be read whole" in message, message


def test_a_run_starts_from_the_load_time_parse_only_of_the_same_code(tmp_path):
    from dagster_dbt import DbtProject

    from revops.build import PARSED_FINGERPRINT
    from revops.dagster_assets.dbt import seed_partial_parse

    (tmp_path / "dbt_project.yml").write_text("name: p\nversion: '1'\nprofile: p\n")
    project = DbtProject(project_dir=tmp_path, target_path=Path("target"))
    parsed = tmp_path / "target"
    parsed.mkdir()
    (parsed / "partial_parse.msgpack").write_bytes(b"parse of code-v1")
    (parsed / PARSED_FINGERPRINT).write_text("code-v1\n")
    assert not seed_partial_parse(project, tmp_path / "run-a", "code-v2")  # the code changed since: full parse
    assert not (tmp_path / "run-a" / "partial_parse.msgpack").exists()
    assert seed_partial_parse(project, tmp_path / "run-b", "code-v1")
    assert (tmp_path / "run-b" / "partial_parse.msgpack").read_bytes() == b"parse of code-v1"
    (parsed / PARSED_FINGERPRINT).unlink()  # a parse of unknown code is never reused
    assert not seed_partial_parse(project, tmp_path / "run-c", "code-v1")
