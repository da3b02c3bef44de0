"""`revops build --changed`: after a load, only what is downstream of the raw tables loaded since the last
successful build is rebuilt (and what dbt sees as modified); a failed or partial build does not move the mark."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from revops.build import (build, changed_selection, changed_test_scope, load_watermark, partial_run_args,
                          project_fingerprint, record_successful_build, run_dbt, tables_loaded_since_last_build)
from revops.load import load_all
from revops.settings import PROJECT_DIR


def _log_loads(database: Path, rows: list[tuple[str, str, str]], mode: str = "append") -> None:
    with duckdb.connect(str(database)) as con:
        con.execute("create schema if not exists raw_meta")
        con.execute("create table if not exists raw_meta.load_log (source_system varchar, source_table varchar, "
                    "mode varchar, files bigint, loaded_at timestamp)")
        con.executemany(f"insert into raw_meta.load_log values (?, ?, '{mode}', 1, cast(? as timestamp))", rows)


def test_selection_covers_loads_after_the_last_good_build(tmp_path):
    database, state = tmp_path / "w.duckdb", tmp_path / "state"
    target = tmp_path / "target"
    target.mkdir()
    (target / "manifest.json").write_text("{}")
    _log_loads(database, [("stripe", "invoice", "2026-11-01 10:00:00")])

    args, why = changed_selection(database, state)
    assert args is None and "no manifest" in why

    record_successful_build(database, target, state, "everything", load_watermark(database))
    assert (state / "manifest.json").exists()
    args, why = changed_selection(database, state)
    assert args == ["--select", "state:modified+", "--state", str(state)]
    assert "none" in why

    # the same project code as the recorded build: a data-only change, unit tests (fixture rows) left out
    record_successful_build(database, target, state, "everything", load_watermark(database), "code-v1")
    args, why = changed_selection(database, state, "code-v1")
    assert args == ["--select", "state:modified+", "--exclude", "resource_type:unit_test", "--state", str(state)]
    assert "code unchanged" in why
    args, why = changed_selection(database, state, "code-v2")  # code changed: its unit tests run
    assert args == ["--select", "state:modified+", "--state", str(state)]

    _log_loads(database, [("hubspot", "email_event", "2026-11-02 10:00:00"),
                          ("stripe", "invoice", "2026-11-02 10:05:00"),
                          ("hubspot", "email_event", "2026-11-02 11:00:00")])
    args, _ = changed_selection(database, state)
    assert args == ["--select", "source:hubspot.email_event+", "source:stripe.invoice+", "state:modified+",
                    "--state", str(state)]


def test_no_recorded_build_means_everything(tmp_path):
    database, state = tmp_path / "w.duckdb", tmp_path / "state"
    state.mkdir()
    (state / "manifest.json").write_text("{}")
    _log_loads(database, [("stripe", "invoice", "2026-11-01 10:00:00")])
    args, why = changed_selection(database, state)
    assert args is None and "no earlier successful build" in why


def _executed(target: Path, kind: str = "model") -> set[str]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".", 2)[-1] for r in results if r["unique_id"].startswith(f"{kind}.")}


@pytest.mark.usefixtures("sample_warehouse")
def test_changed_build_rebuilds_only_downstream_of_new_data(sample_warehouse, tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    shutil.copytree(sample_warehouse.raw_dir, raw)
    database = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_warehouse.database, database)
    monkeypatch.setenv("REVOPS_DUCKDB_PATH", str(database))
    monkeypatch.setenv("REVOPS_RAW_DIR", str(raw))
    monkeypatch.setenv("REVOPS_ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    state = tmp_path / "artifacts" / "last_build"
    # The session's full build of the same files is the last successful build.
    load_all(raw, database, progress=False)  # nothing changed: every table is skipped
    record_successful_build(database, sample_warehouse.target_dir, state, "everything", load_watermark(database),
                            project_fingerprint())

    said: list[str] = []
    nothing = build(changed_only=True, target_path=tmp_path / "target-nothing", quiet=True, log=said.append)
    assert nothing.returncode == 0, "\n".join(nothing.failures)
    # nothing loaded, same code: dbt would select nothing, so it is not started (no target written)
    assert "nothing to build" in said[-1] and not (tmp_path / "target-nothing").exists()
    # with arguments for dbt it runs, and selects nothing
    passed_on = build(changed_only=True, extra_args=["--fail-fast"], target_path=tmp_path / "target-args",
                      quiet=True, log=lambda _: None)
    assert passed_on.returncode == 0 and not _executed(tmp_path / "target-args")

    # A new support ticket arrives: only its table is reloaded, and only what it reaches is rebuilt.
    with (raw / "zendesk" / "ticket.csv").open("a") as handle:
        handle.write("999999991,360000008,20000001,Cannot export,question,low,open,email,"
                     "2026-10-30T09:00:00Z,,2026-10-30T09:00:00Z,2026-11-03T00:00:00Z\n")
    loads = {r.table.qualified_name: r.mode for r in load_all(raw, database, progress=False)}
    assert loads["zendesk.ticket"] == "full"
    assert set(loads.values()) == {"full", "skip"} and list(loads.values()).count("full") == 1

    changed = build(changed_only=True, target_path=tmp_path / "target-changed", quiet=True, log=lambda _: None)
    assert changed.returncode == 0, "\n".join(changed.failures)
    executed = _executed(tmp_path / "target-changed")
    assert {"base_zendesk__ticket", "stg_zendesk__ticket", "raw_row_accounting"} <= executed
    assert not executed & {"int_identity__person_pairs", "fct_mrr", "base_stripe__invoice", "xref_persons"}
    # the data tests downstream of the new rows run; the unit tests there (fixture rows, not the warehouse) do
    # not, the project code being the recorded build's
    assert any("stg_zendesk__ticket" in t for t in _executed(tmp_path / "target-changed", "test"))
    assert not _executed(tmp_path / "target-changed", "unit_test")
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select count(*) from staging.stg_zendesk__ticket "
                           "where ticket_id = '999999991'").fetchone()[0] == 1
        assert con.execute("select count(*) from quality.raw_row_accounting where not is_balanced").fetchone()[0] == 0

    again = build(changed_only=True, target_path=tmp_path / "target-again", quiet=True, log=lambda _: None)
    assert again.returncode == 0 and not (tmp_path / "target-again").exists()


def test_changed_build_refuses_a_selection_of_its_own_or_another_target(tmp_path, monkeypatch):
    monkeypatch.setenv("REVOPS_ARTIFACTS_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="chooses the selection itself"):
        build(changed_only=True, extra_args=["--select", "fct_mrr"], database=tmp_path / "w.duckdb")
    with pytest.raises(ValueError, match="DuckDB target"):
        build(changed_only=True, database=tmp_path / "w.duckdb", env={"REVOPS_TARGET": "postgres"})


# Every spelling dbt's parser takes for a run of part of the project, and arguments that run all of it.
PARTIAL_SPELLINGS = [
    ["--select", "currencies"], ["--select=currencies"], ["-s", "currencies"], ["-scurrencies"], ["-s=currencies"],
    ["-m", "fct_mrr"], ["--models=fct_mrr"], ["--model", "fct_mrr"], ["-xs", "fct_mrr"], ["-fxs", "fct_mrr"],
    ["--exclude", "fct_mrr"], ["--exclude=fct_mrr"], ["--selector=nightly"], ["--resource-type", "model"],
    ["--resource-types=seed"], ["--exclude-resource-type", "test"], ["--exclude-resource-types=unit_test"],
    ["--empty"], ["--inline", "select 1"], ["--inline=select 1"], ["--sample=3 days"],
    ["--fail-fast", "--select=x"],
]
WHOLE_RUNS = [[], ["--fail-fast"], ["-x"], ["--full-refresh", "-f"], ["-t", "dev"], ["-ts"], ["--target=s"],
              ["--no-empty"], ["--vars", "{n: 1}"], ["--threads", "4"], ["--select-nothing-like-this"]]


@pytest.mark.parametrize("args", PARTIAL_SPELLINGS, ids=" ".join)
def test_every_spelling_of_a_partial_run_is_recognised(args, monkeypatch):
    for var in ("DBT_EMPTY", "DBT_RESOURCE_TYPES", "DBT_EXCLUDE_RESOURCE_TYPES", "DBT_SAMPLE"):
        monkeypatch.delenv(var, raising=False)
    assert partial_run_args(args) == [a for a in args if a.startswith("-") and a not in ("--fail-fast",)]


@pytest.mark.parametrize("args", WHOLE_RUNS, ids=" ".join)
def test_arguments_that_build_the_whole_project_are_not_a_partial_run(args, monkeypatch):
    for var in ("DBT_EMPTY", "DBT_RESOURCE_TYPES", "DBT_EXCLUDE_RESOURCE_TYPES", "DBT_SAMPLE"):
        monkeypatch.delenv(var, raising=False)
    assert partial_run_args(args) == []


def test_dbt_variables_that_select_part_of_the_project_are_a_partial_run(monkeypatch):
    monkeypatch.setenv("DBT_EMPTY", "false")
    monkeypatch.delenv("DBT_RESOURCE_TYPES", raising=False)
    assert partial_run_args([]) == []
    assert partial_run_args([], {"DBT_EMPTY": "1"}) == ["DBT_EMPTY=1"]
    monkeypatch.setenv("DBT_RESOURCE_TYPES", "model seed")
    assert partial_run_args([]) == ["DBT_RESOURCE_TYPES=model seed"]


@pytest.mark.parametrize("args", [["--select=currencies"], ["-scurrencies"], ["--exclude=fct_mrr"], ["--empty"]],
                         ids=" ".join)
def test_changed_build_refuses_any_spelling_of_a_selection(args, tmp_path, monkeypatch):
    monkeypatch.setenv("REVOPS_ARTIFACTS_DIR", str(tmp_path))
    with pytest.raises(ValueError, match=f"chooses the selection itself: drop {args[0]}"):
        build(changed_only=True, extra_args=args, database=tmp_path / "w.duckdb")


def test_a_partial_build_leaves_the_mark_of_changed_where_it_was(tmp_path, monkeypatch):
    """`revops build -- --select=currencies` builds a part: the raw tables loaded since the last successful build
    stay to be built by the next `--changed` build; a build of everything moves the mark past them."""
    import revops.build as build_module

    monkeypatch.setenv("REVOPS_ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    database, target = _warehouse_with_events(tmp_path, "2026-11-01 10:00:00")
    build_module.record_successful_build(database, target, build_module.build_state_dir(), "everything",
                                         load_watermark(database), "code-v1")
    _log_loads(database, [("hubspot", "email_event", "2026-11-02 10:00:00")])
    monkeypatch.setattr(build_module, "run_dbt", lambda args, target_path=None, env=None, quiet=False:
                        build_module.BuildResult(returncode=0))
    said: list[str] = []
    for args in (["--select=stg_hubspot__email_event"], ["-xsstg_hubspot__email_event"], ["--empty"]):
        assert build(extra_args=args, database=database, target_path=target, log=said.append).returncode == 0
        assert tables_loaded_since_last_build(database) == [("hubspot", "email_event")], args
        assert said[-1].endswith(f"({args[0]}): the mark of `revops build --changed` stays")
    build(extra_args=["--fail-fast"], database=database, target_path=target, log=said.append)
    assert tables_loaded_since_last_build(database) == []


def test_test_scope_is_the_last_good_builds_row_marks_except_reloaded_tables(tmp_path):
    database, state, target = tmp_path / "w.duckdb", tmp_path / "state", tmp_path / "target"
    target.mkdir()
    (target / "manifest.json").write_text("{}")
    _log_loads(database, [("hubspot", "email_event", "2026-11-01 10:00:00")])
    assert changed_test_scope(database) == {}  # no successful build recorded yet
    with duckdb.connect(str(database)) as con:
        con.execute("create schema staging")
        con.execute("create table staging.base_hubspot__email_event as select range + 1 as _source_row from range(40)")
        con.execute("create table staging.base_product__usage_daily as select range + 1 as _source_row from range(7)")
    record_successful_build(database, target, state, "everything", load_watermark(database))
    assert changed_test_scope(database) == {"stg_hubspot__email_event": 40, "stg_product__usage_daily": 7}
    # New rows arrive in both; a failed build does not record marks, so the scope stays the last good build's.
    with duckdb.connect(str(database)) as con:
        con.execute("insert into staging.base_hubspot__email_event select range + 41 from range(5)")
    _log_loads(database, [("hubspot", "email_event", "2026-11-02 10:00:00")])
    assert changed_test_scope(database) == {"stg_hubspot__email_event": 40, "stg_product__usage_daily": 7}
    # A full reload renumbers a table's rows: its view is tested whole.
    _log_loads(database, [("product", "usage_daily", "2026-11-02 11:00:00")], mode="full")
    assert changed_test_scope(database) == {"stg_hubspot__email_event": 40}
    record_successful_build(database, target, state, "everything", load_watermark(database))
    assert changed_test_scope(database) == {"stg_hubspot__email_event": 45, "stg_product__usage_daily": 7}


def _warehouse_with_events(tmp_path: Path, first_load: str) -> tuple[Path, Path]:
    """(warehouse, dbt target with a manifest): one logged load, an email-event parse model of 40 rows."""
    database, target = tmp_path / "w.duckdb", tmp_path / "target"
    target.mkdir()
    (target / "manifest.json").write_text("{}")
    _log_loads(database, [("stripe", "invoice", first_load)])
    with duckdb.connect(str(database)) as con:
        con.execute("create schema staging")
        con.execute("create table staging.base_hubspot__email_event as select range + 1 as _source_row from range(40)")
    return database, target


def test_tests_are_scoped_only_when_the_code_is_the_last_good_builds(tmp_path, monkeypatch):
    """A data-only `--changed` build tests the arrived rows of the large views; after a code change (a view or a
    test edited) the rows below the marks may read differently, so every test reads every row."""
    import revops.build as build_module

    monkeypatch.setenv("REVOPS_ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    database, target = _warehouse_with_events(tmp_path, "2026-11-01 10:00:00")
    build_module.record_successful_build(database, target, build_module.build_state_dir(), "everything",
                                         load_watermark(database), "code-v1")
    _log_loads(database, [("hubspot", "email_event", "2026-11-02 10:00:00")])
    calls = []
    monkeypatch.setattr(build_module, "run_dbt",
                        lambda args, target_path=None, env=None, quiet=False: calls.append((args, env or {}))
                        or build_module.BuildResult(returncode=1))
    logged = []
    for code in ("code-v1", "code-v2"):
        monkeypatch.setattr(build_module, "project_fingerprint", lambda root=None, code=code: code)
        build_module.build(changed_only=True, database=database, target_path=target, log=logged.append)
    (same_args, same_env), (edited_args, edited_env) = calls
    assert "source:hubspot.email_event+" in same_args and "source:hubspot.email_event+" in edited_args
    assert json.loads(same_env["REVOPS_CHANGED_SINCE_ROW"]) == {"stg_hubspot__email_event": 40}
    assert "REVOPS_CHANGED_SINCE_ROW" not in edited_env
    assert sum("read the rows arrived since" in line for line in logged) == 1
    assert sum("the selected tests read every row" in line for line in logged) == 1


def test_build_bookkeeping_round_trips_its_values_without_importing_pandas(tmp_path):
    """The --changed bookkeeping writes its values as SQL literals: binding parameters makes DuckDB import pandas,
    about 0.65 s of every `revops build --changed` before dbt starts."""
    state = tmp_path / "state"
    database, target = _warehouse_with_events(tmp_path, "2026-11-01 10:00:00.123456")
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from revops.build import changed_selection, changed_test_scope, load_watermark, record_successful_build\n"
        f"db, state, target = Path({str(database)!r}), Path({str(state)!r}), Path({str(target)!r})\n"
        "record_successful_build(db, target, state, \"it's everything\", load_watermark(db), 'code')\n"
        "print(changed_selection(db, state, 'code')[0], changed_test_scope(db), 'pandas' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT_DIR / "orchestration")}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("} ")[-1].strip() == "False", done.stdout  # pandas never imported
    assert "{'stg_hubspot__email_event': 40}" in done.stdout
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select load_watermark, selection from raw_meta.build_state").fetchall() == [
            (datetime(2026, 11, 1, 10, 0, 0, 123456), "it's everything")]
        assert con.execute("select relation, through_row from raw_meta.build_row_marks").fetchall() == [
            ("stg_hubspot__email_event", 40)]
    _log_loads(database, [("stripe", "invoice", "2026-11-01 10:00:00.123457")])  # a microsecond later: new
    assert changed_selection(database, state, "code")[0][:2] == ["--select", "source:stripe.invoice+"]


def _test_failures(database: Path, target: Path, scope: dict[str, int] | None, test: str,
                   also_build: tuple[str, ...] = ()) -> int:
    """Failures of one data test (`dbt test`, or `dbt build` with the models ``also_build``)."""
    env = {"REVOPS_DUCKDB_PATH": str(database)}
    if scope is not None:
        env["REVOPS_CHANGED_SINCE_ROW"] = json.dumps(scope)
    command = ["build", "--select", test, *also_build] if also_build else ["test", "--select", test]
    result = run_dbt(command, target_path=target, env=env, quiet=True)
    results = [r for r in json.loads((target / "run_results.json").read_text())["results"]
               if r["unique_id"].startswith(f"test.revops.{test}")]
    assert len(results) == 1, result.failures
    assert result.returncode == 0 or results[0]["status"] == "fail"
    return results[0]["failures"]


def _unique_email_event_failures(database: Path, target: Path, scope: dict[str, int] | None) -> int:
    return _test_failures(database, target, scope, "unique_stg_hubspot__email_event_email_event_id")


def test_scoped_tests_read_the_arrived_keys_with_their_old_rows(sample_warehouse, tmp_path):
    """The scoped unique test sees a duplicate between an old row and a new one (the key arrived), not one
    between two old rows (what the last good build tested); the unscoped test sees both."""
    database = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_warehouse.database, database)
    with duckdb.connect(str(database)) as con:
        mark = con.execute("select max(_source_row) from staging.base_hubspot__email_event").fetchone()[0]
        # two planted ranking faults: an old key re-appearing as a new row, and an old row doubled in place
        con.execute(f"""insert into staging.base_hubspot__email_event
            select * replace ({mark} + 1 as _source_row, _source_file || '#new' as _source_file)
            from staging.base_hubspot__email_event where _version_rank = 1 and _quarantine_code is null
            order by _source_row limit 1""")
        con.execute("""insert into staging.base_hubspot__email_event
            select * replace (_source_file || '#old' as _source_file)
            from staging.base_hubspot__email_event where _version_rank = 1 and _quarantine_code is null
            order by _source_row limit 1 offset 1""")
    assert _unique_email_event_failures(database, tmp_path / "t-all", None) == 2
    assert _unique_email_event_failures(database, tmp_path / "t-scoped", {"stg_hubspot__email_event": mark}) == 1
    # Nothing arrived above a later mark: the scoped test reads no rows.
    assert _unique_email_event_failures(database, tmp_path / "t-none", {"stg_hubspot__email_event": mark + 1}) == 0


def test_a_build_without_unit_tests_leaves_them_out_and_still_moves_the_mark(tmp_path, monkeypatch):
    """`revops build --no-unit-tests` (a production build) asks dbt to leave out the unit tests, and only them;
    it builds every model and data test, so the raw tables loaded before it are built."""
    import revops.build as build_module
    from revops.cli import main

    monkeypatch.setenv("REVOPS_ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    database, target = _warehouse_with_events(tmp_path, "2026-11-01 10:00:00")
    build_module.record_successful_build(database, target, build_module.build_state_dir(), "everything",
                                         load_watermark(database), "code-v1")
    calls: list[list[str]] = []
    monkeypatch.setattr(build_module, "run_dbt", lambda args, target_path=None, env=None, quiet=False:
                        calls.append(args) or build_module.BuildResult(returncode=0))
    monkeypatch.setattr(build_module, "check_loaded_warehouse", lambda database: None)
    _log_loads(database, [("hubspot", "email_event", "2026-11-02 10:00:00")])
    said: list[str] = []
    assert build(database=database, target_path=target, unit_tests=False, log=said.append).returncode == 0
    assert calls[-1] == ["build", "--exclude-resource-type", "unit_test"]
    assert tables_loaded_since_last_build(database) == []
    assert said == ["revops build: unit tests skipped (--no-unit-tests: they read fixtures, not the warehouse; "
                    "`make test` runs them)"]
    assert build(database=database, target_path=target, log=said.append).returncode == 0
    assert calls[-1] == ["build"]  # by default dbt runs them
    # the command line's flag
    monkeypatch.setenv("REVOPS_DUCKDB_PATH", str(database))
    assert main(["build", "--no-unit-tests", "--target-path", str(target), "--", "--fail-fast"]) == 0
    assert calls[-1] == ["build", "--fail-fast", "--exclude-resource-type", "unit_test"]


def test_a_run_covers_the_changed_build_only_when_it_ran_all_that_reaches_the_new_loads(tmp_path):
    """build_coverage (how a Dagster run moves the mark): with the recorded code, every data node downstream of
    the tables loaded since the last build; without a recorded build or after a code change, every node and
    unit test."""
    from revops.build import build_coverage

    database, state, target = tmp_path / "w.duckdb", tmp_path / "state", tmp_path / "target"
    target.mkdir()
    (target / "manifest.json").write_text("{}")
    manifest = {
        "metadata": {"project_name": "p"},
        "nodes": {uid: {"resource_type": uid.split(".")[0]} for uid in (
            "model.p.stg_ticket", "model.p.fct_support", "test.p.not_null_fct_support_id", "model.p.stg_invoice",
            "seed.p.currencies")},
        "unit_tests": {"unit_test.p.fct_support.counts": {}},
        "child_map": {
            "source.p.zendesk.ticket": ["model.p.stg_ticket"],
            "model.p.stg_ticket": ["model.p.fct_support", "exposure.p.dashboard"],
            "model.p.fct_support": ["test.p.not_null_fct_support_id"],
            "source.p.stripe.invoice": ["model.p.stg_invoice"],
        },
    }
    ticket_reach = {"model.p.stg_ticket", "model.p.fct_support", "test.p.not_null_fct_support_id"}
    everything = {*manifest["nodes"], *manifest["unit_tests"]}
    _log_loads(database, [("zendesk", "ticket", "2026-11-01 10:00:00")])
    # no recorded build: only a run of everything, unit tests too, covers it
    assert build_coverage(database, state, manifest, ticket_reach, "code-v1") is None
    assert build_coverage(database, state, manifest, everything - {"unit_test.p.fct_support.counts"}) is None
    assert build_coverage(database, state, manifest, everything, "code-v1") == "everything"

    record_successful_build(database, target, state, "everything", load_watermark(database), "code-v1")
    _log_loads(database, [("zendesk", "ticket", "2026-11-02 10:00:00")])
    covered = build_coverage(database, state, manifest, ticket_reach, "code-v1")
    assert covered is not None and covered.endswith(": zendesk.ticket")
    assert build_coverage(database, state, manifest, ticket_reach - {"test.p.not_null_fct_support_id"},
                          "code-v1") is None  # a test left out
    assert build_coverage(database, state, manifest, ticket_reach, "code-v2") is None  # edited code: everything
    assert build_coverage(database, state, manifest, everything, "code-v2") == "everything"
    # nothing loaded since the last build: any successful run leaves nothing to do
    record_successful_build(database, target, state, "everything", load_watermark(database), "code-v1")
    assert build_coverage(database, state, manifest, set(), "code-v1").endswith(": none")


def test_a_scoped_test_reads_every_row_when_the_run_rebuilds_its_other_parent(sample_warehouse, tmp_path):
    """The campaign relationship of email events: an old event whose campaign is unknown is out of the scope
    (the last good build warned of it), unless the run rebuilds the campaigns too (a reload can drop a parent
    row: old events then fail as well)."""
    database = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_warehouse.database, database)
    with duckdb.connect(str(database)) as con:
        mark = con.execute("select max(_source_row) from staging.base_hubspot__email_event").fetchone()[0]
        con.execute("""insert into staging.base_hubspot__email_event
            select * replace (id || '-orphan' as id, 'no-such-campaign' as campaign_id,
                              _source_file || '#old' as _source_file)
            from staging.base_hubspot__email_event where _version_rank = 1 and _quarantine_code is null
            order by _source_row limit 1""")
    test = "relationships_stg_hubspot__email_event_campaign_id__campaign_id__ref_stg_hubspot__campaign_"
    every_row = _test_failures(database, tmp_path / "t-all", None, test)
    assert every_row >= 1
    scope = {"stg_hubspot__email_event": mark}
    assert _test_failures(database, tmp_path / "t-scoped", scope, test) == 0  # no event arrived above the mark
    assert _test_failures(database, tmp_path / "t-parent", scope, test, ("stg_hubspot__campaign",)) == every_row


def test_the_send_events_tests_follow_the_email_events_mark(sample_warehouse, tmp_path):
    """int_playbooks__email_send_events (meta changed_rows) is scoped by its watermark against the email events'
    mark: a duplicate involving a row it wrote since is found, one between rows the last build tested is not."""
    database = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_warehouse.database, database)
    sends = "intermediate.int_playbooks__email_send_events"
    with duckdb.connect(str(database)) as con:
        mark = con.execute("select max(_source_row) from staging.base_hubspot__email_event").fetchone()[0]
        assert con.execute(f"select max(_events_through_row) from {sends}").fetchone()[0] == mark
        con.execute(f"insert into {sends} select * replace ({mark} + 1 as _events_through_row) "
                    f"from {sends} order by email_event_id limit 1")  # written by a later build
        con.execute(f"insert into {sends} select * from {sends} order by email_event_id desc limit 1")  # old
    test = "unique_int_playbooks__email_send_events_email_event_id"
    assert _test_failures(database, tmp_path / "t-all", None, test) == 2
    assert _test_failures(database, tmp_path / "t-scoped", {"stg_hubspot__email_event": mark}, test) == 1
    assert _test_failures(database, tmp_path / "t-later", {"stg_hubspot__email_event": mark + 1}, test) == 0
    # the mark of another view does not scope it
    assert _test_failures(database, tmp_path / "t-other", {"stg_product__usage_daily": 1}, test) == 2
