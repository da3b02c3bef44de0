"""`revops build --changed`: after a load, only what is downstream of the raw tables loaded since the last
successful build is rebuilt (and what dbt sees as modified); a failed or partial build does not move the mark."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from revops.build import build, changed_selection, load_watermark, project_fingerprint, record_successful_build
from revops.load import load_all


def _log_loads(database: Path, rows: list[tuple[str, str, str]]) -> None:
    with duckdb.connect(str(database)) as con:
        con.execute("create schema if not exists raw_meta")
        con.execute("create table if not exists raw_meta.load_log (source_system varchar, source_table varchar, "
                    "mode varchar, files bigint, loaded_at timestamp)")
        con.executemany("insert into raw_meta.load_log values (?, ?, 'append', 1, cast(? as timestamp))", rows)


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

    nothing = build(changed_only=True, target_path=tmp_path / "target-nothing", quiet=True, log=lambda _: None)
    assert nothing.returncode == 0, "\n".join(nothing.failures)
    assert not _executed(tmp_path / "target-nothing")

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
    assert again.returncode == 0 and not _executed(tmp_path / "target-again")


def test_changed_build_refuses_a_selection_of_its_own_or_another_target(tmp_path, monkeypatch):
    monkeypatch.setenv("REVOPS_ARTIFACTS_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="chooses the selection itself"):
        build(changed_only=True, extra_args=["--select", "fct_mrr"], database=tmp_path / "w.duckdb")
    with pytest.raises(ValueError, match="DuckDB target"):
        build(changed_only=True, database=tmp_path / "w.duckdb", env={"REVOPS_TARGET": "postgres"})
