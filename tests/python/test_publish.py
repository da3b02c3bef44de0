"""Safe publishing (revops.publish): readers see complete versions only, never block a build; PII hashed.

The slow tests take the session's sample warehouse, publish it, and run a real (small) dbt build on a copy of it
while a reader in another process holds the published copy open.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from revops import publish
from revops.build import run_dbt

PERSON_PII = {"email", "first_name", "last_name", "phone_e164"}

READER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from revops.publish import connect_published
    out_dir, log, stop = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])

    def snapshot(con):
        build_id = con.execute("select build_id from _publish.manifest").fetchone()[0]
        tables = con.execute("select count(*) from information_schema.tables where table_schema = 'marts'").fetchone()[0]
        ltv = con.execute("select sum(ltv) from marts.kpi_monthly").fetchone()[0]
        rows = con.execute("select count(*) from marts.kpi_monthly").fetchone()[0]
        return {"build_id": build_id, "tables": tables, "ltv": float(ltv), "rows": rows}

    with log.open("w") as fh:
        con = connect_published(out_dir)          # held open for the whole build and publish
        fh.write(json.dumps({"phase": "open", **snapshot(con)}) + "\\n"); fh.flush()
        while not stop.exists():
            fh.write(json.dumps({"phase": "during", **snapshot(con)}) + "\\n"); fh.flush()
            time.sleep(0.05)
        fh.write(json.dumps({"phase": "held", **snapshot(con)}) + "\\n")
        con.close()
        con = connect_published(out_dir)          # reopen: the pointer now names the new copy
        fh.write(json.dumps({"phase": "reopened", **snapshot(con)}) + "\\n")
        con.close()
""")


def _write_run_results(target: Path, statuses: list[str]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    results = [{"unique_id": f"model.revops.m{i}", "status": s} for i, s in enumerate(statuses)]
    (target / "run_results.json").write_text(json.dumps({"args": {"which": "build"}, "results": results}))


def _tiny_warehouse(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.dim_contacts as select * from (values "
                    "('p1', 'ada@example.com', 'Ada', 'Lovelace', '+441234567890', 'lead'), "
                    "('p2', 'alan@example.org', 'Alan', 'Turing', null, 'customer')) "
                    "t(person_id, email, first_name, last_name, phone_e164, lifecycle_stage)")
        con.execute("create table marts.kpi_monthly as select date '2024-01-01' as month, 100.0 as mrr")


def test_publish_refuses_a_failed_build_and_keeps_the_old_copy(tmp_path):
    database, out, target = tmp_path / "w.duckdb", tmp_path / "published", tmp_path / "target"
    _tiny_warehouse(database)
    _write_run_results(target, ["success", "pass"])
    first = publish.publish(database, out, dbt_target=target, build_id="b1")
    assert publish.current_path(out) == first.path.resolve()

    _write_run_results(target, ["success", "fail", "pass"])
    with pytest.raises(publish.PublishError, match="failed nodes"):
        publish.publish(database, out, dbt_target=target, build_id="b2")
    assert publish.current_path(out) == first.path.resolve()
    assert not (out / "revops_b2.duckdb").exists() and not list(out.glob(".*partial"))

    (target / "run_results.json").unlink()
    with pytest.raises(publish.PublishError, match="run_results.json not found"):
        publish.publish(database, out, dbt_target=target, build_id="b3")


def test_published_copy_is_read_only_and_old_copies_are_cleaned(tmp_path):
    database, out = tmp_path / "w.duckdb", tmp_path / "published"
    _tiny_warehouse(database)
    for i in range(5):
        publish.publish(database, out, build_id=f"b{i}", check_build=False, keep=2)
    assert sorted(p.name for p in out.glob("revops_*.duckdb")) == ["revops_b3.duckdb", "revops_b4.duckdb"]
    assert publish.current_path(out).name == "revops_b4.duckdb"
    with publish.connect_published(out) as con, pytest.raises(duckdb.Error):
        con.execute("create table marts.x (a int)")


def test_name_safety_net_masks_untagged_personal_columns(tmp_path):
    """No manifest (no yml tags): email/phone/name columns are hashed anyway; other columns are untouched."""
    database, out = tmp_path / "w.duckdb", tmp_path / "published"
    _tiny_warehouse(database)
    result = publish.publish(database, out, build_id="b1", check_build=False)
    assert set(result.masked["dim_contacts"]) == PERSON_PII
    with publish.connect_published(out) as con:
        rows = con.execute("select person_id, email, first_name, phone_e164, lifecycle_stage "
                           "from marts.dim_contacts order by person_id").fetchall()
    assert rows[0][0] == "p1" and rows[0][4] == "lead"
    assert rows[0][1].startswith("pii:") and "@" not in rows[0][1] and rows[0][2] != "Ada"
    assert rows[1][3] is None  # NULL stays NULL


@pytest.mark.slow
def test_pii_hashed_by_default_and_in_clear_only_when_allowed(sample_warehouse, tmp_path, monkeypatch):
    tagged = publish.pii_columns_from_manifest(sample_warehouse.target_dir / "manifest.json")
    assert PERSON_PII <= tagged.get("dim_contacts", set()), "dim_contacts PII columns must be tagged pii in yml"

    monkeypatch.delenv("REVOPS_PUBLISH_PII", raising=False)
    masked = publish.publish(sample_warehouse.database, tmp_path / "masked", dbt_target=sample_warehouse.target_dir)
    assert PERSON_PII <= set(masked.masked["dim_contacts"])
    raw_emails = {r[0] for r in sample_warehouse.query("select email from marts.dim_contacts where email is not null")}
    assert raw_emails, "the sample has contacts with an email"
    with publish.connect_published(tmp_path / "masked") as con:
        published = {r[0] for r in con.execute("select email from marts.dim_contacts where email is not null").fetchall()}
        names = {r[0] for r in con.execute("select last_name from marts.dim_contacts where last_name is not null")
                 .fetchall()}
        # every string column of every published mart is free of the raw emails
        leaks = []
        for table, column in con.execute("select table_name, column_name from information_schema.columns "
                                         "where table_schema = 'marts' and data_type = 'VARCHAR'").fetchall():
            hits = con.execute(f'select count(*) from marts."{table}" where "{column}" like \'%@%.%\'').fetchone()[0]
            if hits and con.execute(f'select count(*) from marts."{table}" where "{column}" in '
                                    f'(select unnest(?::varchar[]))', [sorted(raw_emails)]).fetchone()[0]:
                leaks.append(f"{table}.{column}")
    assert not leaks, f"raw emails published in {leaks}"
    assert all(e.startswith("pii:") for e in published) and not published & raw_emails
    assert len(published) == len(raw_emails)  # same email -> same hash: distinct counts survive
    raw_names = {r[0] for r in sample_warehouse.query("select last_name from marts.dim_contacts "
                                                      "where last_name is not null")}
    assert not names & raw_names

    monkeypatch.setenv("REVOPS_PUBLISH_PII", "1")
    clear = publish.publish(sample_warehouse.database, tmp_path / "clear", dbt_target=sample_warehouse.target_dir)
    assert clear.pii_allowed and not clear.masked
    with publish.connect_published(tmp_path / "clear") as con:
        assert {r[0] for r in con.execute("select email from marts.dim_contacts where email is not null")
                .fetchall()} == raw_emails


@pytest.mark.slow
def test_reader_sees_old_complete_version_during_build_and_publish_then_new(sample_warehouse, tmp_path):
    out = tmp_path / "published"
    first = publish.publish(sample_warehouse.database, out, dbt_target=sample_warehouse.target_dir, build_id="v1")
    n_tables = len(first.tables)

    # the next build works on its own warehouse file (as `revops run` does on warehouse/revops.duckdb)
    warehouse = tmp_path / "next.duckdb"
    shutil.copyfile(sample_warehouse.database, warehouse)
    log, stop = tmp_path / "reader.jsonl", tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(out), str(log), str(stop)])
    try:
        deadline = time.time() + 60
        while not (log.exists() and log.read_text().count("\n") >= 2):
            assert reader.poll() is None and time.time() < deadline, "reader did not start"
            time.sleep(0.1)
        # a real build that changes the numbers: LTV with another gross margin (hand-made unit tests use 0.8)
        target = tmp_path / "target"
        build = run_dbt(["build", "--select", "kpi_monthly", "--exclude", "test_type:unit",
                         "--vars", "{kpi_gross_margin: 0.4}"], target_path=target,
                        env={"REVOPS_DUCKDB_PATH": str(warehouse), "REVOPS_RAW_DIR": str(sample_warehouse.raw_dir)},
                        quiet=True)
        assert build.returncode == 0, build.failures
        second = publish.publish(warehouse, out, dbt_target=target, build_id="v2")
        time.sleep(0.3)  # let the reader query the old copy after the swap
        stop.touch()
        assert reader.wait(timeout=60) == 0
    finally:
        if reader.poll() is None:
            reader.kill()

    lines = [json.loads(line) for line in log.read_text().splitlines()]
    before = [x for x in lines if x["phase"] in ("open", "during", "held")]
    after = [x for x in lines if x["phase"] == "reopened"]
    assert len(before) >= 3 and len(after) == 1
    v1 = before[0]
    assert v1["build_id"] == "v1" and v1["tables"] == n_tables
    # complete and unchanged for the whole build and publish, including after the pointer moved
    assert all((x["build_id"], x["tables"], x["ltv"], x["rows"]) == ("v1", n_tables, v1["ltv"], v1["rows"])
               for x in before)
    new = after[0]
    assert new["build_id"] == "v2" and new["tables"] == len(second.tables) == n_tables
    assert new["ltv"] == pytest.approx(v1["ltv"] * 0.4 / 0.8, rel=1e-3)  # LTV is proportional to gross margin
    expected = sample_warehouse.query("select sum(ltv) from marts.kpi_monthly")[0][0]
    assert v1["ltv"] == pytest.approx(float(expected))
