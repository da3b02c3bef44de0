"""Incremental loads and builds: appending 1 % new rows (and late re-sends of old keys) as new part files, then
`revops load` + `dbt build`, gives exactly the tables a full refresh gives on the same files: CSV part files
(landed as tables, appended to) and Parquet part files (read in place: the raw relation is a view over them)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest

from revops.build import run_dbt
from revops.contract import INCREMENTAL_TABLES, get_table
from revops.load import load_all

SELECT = ["+raw_row_accounting", "+raw_quarantine", "+int_playbooks__email_send_events"]
SEND_EVENTS = "intermediate.int_playbooks__email_send_events"


def _split_into_parts(raw: Path, later: Path) -> dict[str, int]:
    """Move each incremental table into a folder of part files: part-00000 now, part-00001 (the last 1 % of
    rows, plus re-sends of three earlier rows with a later _loaded_at and a changed value) kept aside. The
    e-mail events re-sent are SENT events, so their new type (SENT0) takes three sends away."""
    added = {}
    for system, table in sorted(INCREMENTAL_TABLES):
        source = raw / system / f"{table}.csv"
        with source.open(newline="") as handle:
            rows = list(csv.reader(handle))
        header, body = rows[0], rows[1:]
        cut = len(body) - max(len(body) // 100, 5)
        first, tail = body[:cut], body[cut:]
        loaded_at = header.index("_loaded_at")
        spec = get_table(system, table)
        changed_column = header.index(next(  # the first plain text/integer column gets a new value
            c for c, kind in spec.columns.items() if kind in ("text", "integer") and c not in spec.primary_key))
        resends = []
        earlier = first[10:]
        if (system, table) == ("hubspot", "email_event"):
            earlier = [row for row in earlier if row[header.index("type")] == "SENT"]
        for row in earlier[:3]:
            resend = list(row)
            resend[loaded_at] = "2026-11-20T00:00:00Z"
            resend[changed_column] = resend[changed_column] + "0" if resend[changed_column] else "1"
            resends.append(resend)
        if (system, table) == ("hubspot", "email_event"):
            first, late = _plant_gmail_send(header, first)
            resends.append(late)
        folder = raw / system / table
        folder.mkdir()
        for path, part in ((folder / "part-00000.csv", first), (later / f"{system}__{table}.csv", tail + resends)):
            with path.open("w", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(header)
                writer.writerows(part)
        source.unlink()
        added[f"{system}.{table}"] = len(tail) + len(resends)
    return added


def _plant_gmail_send(header: list[str], first: list[list[str]]) -> tuple[list[list[str]], list[str]]:
    """A SENT event to a Gmail address in the first part, and its OPEN arriving later under another spelling of
    the same mailbox (dots, +tag, googlemail.com, capitals): the open is credited to the send only if the
    incremental build finds the send although its address as landed differs from the group's key."""
    col = {name: i for i, name in enumerate(header)}
    template = next(row for row in first if row[col["type"]] == "SENT")
    sent = list(template)
    sent[col["id"]], sent[col["recipient"]] = "ee-planted-gmail-sent", "plant.ed+news@gmail.com"
    opened = list(template)
    opened[col["id"]], opened[col["recipient"]], opened[col["type"]] = (
        "ee-planted-gmail-open", " PlantEd@GoogleMail.com ", "OPEN")
    return [*first, sent], opened


def _add_later_parts(raw: Path, later: Path, ext: str) -> None:
    for system, table in INCREMENTAL_TABLES:
        shutil.copy(later / f"{system}__{table}.{ext}", raw / system / table / f"part-00001.{ext}")


def _to_parquet(folder: Path) -> None:
    """Every CSV file under ``folder`` as a Parquet file of text columns (as a Parquet export arrives)."""
    with duckdb.connect() as con:
        for path in sorted(folder.rglob("*.csv")):
            con.execute(f"copy (select * from read_csv('{path}', all_varchar = true, header = true)) "
                        f"to '{path.with_suffix('.parquet')}' (format parquet)")
            path.unlink()


def _build(root: Path, raw: Path, database: Path) -> list:
    loads = load_all(raw, database, progress=False)
    result = run_dbt(["build", "--select", *SELECT], target_path=root / f"target-{database.stem}",
                     env={"REVOPS_DUCKDB_PATH": str(database), "REVOPS_RAW_DIR": str(raw)}, quiet=True)
    assert result.returncode == 0, "\n".join(result.failures)
    return loads


def _contents(database: Path, relation: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return sorted(con.execute(f"select * from {relation}").fetchall(), key=repr)


@pytest.fixture(scope="module", params=["csv", "parquet"])
def builds(request, tmp_path_factory):
    from revops.generator import generate

    ext = request.param
    root = tmp_path_factory.mktemp(f"incremental_{ext}")
    raw, later = root / "raw", root / "later"
    later.mkdir()
    generate(raw, root / "truth", seed=7, scale=0.2, fmt="csv", progress=False)
    added = _split_into_parts(raw, later)
    if ext == "parquet":
        _to_parquet(raw)
        _to_parquet(later)

    incremental_db = root / "incremental.duckdb"
    first_loads = _build(root, raw, incremental_db)
    if ext == "parquet":  # read in place: the raw relations are views over the files
        assert {r.table.qualified_name for r in first_loads if r.files} == {
            r.table.qualified_name for r in first_loads if r.files and r.files[0].suffix == ".parquet"}
        with duckdb.connect(str(incremental_db), read_only=True) as con:
            kinds = {r[0] for r in con.execute("select table_type from information_schema.tables "
                                               "where table_schema like 'raw\\_%' escape '\\'").fetchall()}
        assert "VIEW" in kinds
    _add_later_parts(raw, later, ext)
    second_loads = _build(root, raw, incremental_db)

    full_db = root / "full.duckdb"
    _build(root, raw, full_db)
    return incremental_db, full_db, added, {r.table.qualified_name: r for r in second_loads}, ext


def test_second_load_appends_only_new_part_files_and_skips_unchanged_tables(builds):
    _, _, added, loads, _ = builds
    for name, rows in added.items():
        assert loads[name].mode == "append" and loads[name].rows_loaded == rows, name
    untouched = [r for name, r in loads.items() if name not in added]
    assert untouched and all(r.mode == "skip" for r in untouched)


@pytest.mark.parametrize("system_table", sorted(INCREMENTAL_TABLES), ids=lambda st: f"{st[0]}.{st[1]}")
def test_incremental_parse_model_equals_full_refresh(builds, system_table):
    incremental_db, full_db, _, _, _ = builds
    system, table = system_table
    base = f"staging.base_{system}__{table}"
    assert _contents(incremental_db, base) == _contents(full_db, base)
    # The re-sent keys are ranked: the new versions win.
    with duckdb.connect(str(incremental_db), read_only=True) as con:
        winners = con.execute(f"select count(*) from {base} where _loaded_at = timestamp '2026-11-20' "
                              "and _version_rank = 1").fetchone()[0]
    assert winners == 3


@pytest.mark.parametrize("relation", ["quality.raw_row_accounting", "quality.raw_quarantine"])
def test_quality_tables_equal_after_incremental_build(builds, relation):
    incremental_db, full_db, _, _, _ = builds
    assert _contents(incremental_db, relation) == _contents(full_db, relation)


def test_edited_file_reloads_its_table_and_rebuilds_the_incremental_model(tmp_path, builds):
    incremental_db, full_db, _, _, ext = builds
    database = tmp_path / "copy.duckdb"
    shutil.copy(incremental_db, database)
    raw = incremental_db.parent / "raw"
    part = raw / "hubspot" / "email_event" / f"part-00000.{ext}"
    with duckdb.connect(str(database)) as con:  # the file on disk now differs from what was landed
        con.execute("update raw_meta.loaded_files set file_bytes = file_bytes + 1 "
                    f"where source_file = 'hubspot/email_event/part-00000.{ext}'")
    loads = {r.table.qualified_name: r for r in _build(tmp_path, raw, database)}
    assert loads["hubspot.email_event"].mode == "full"
    assert part.exists()
    base = "staging.base_hubspot__email_event"
    assert _contents(database, base) == _contents(full_db, base)
    # The send events keep a watermark on the renumbered rows: the loader dropped them too, so they were
    # rebuilt in full (every row carries the new watermark, as in the full build).
    assert _contents(database, SEND_EVENTS) == _contents(full_db, SEND_EVENTS)


def _send_events(database: Path) -> list[tuple]:
    """The send events without the watermark column (rows written by different builds carry different ones)."""
    with duckdb.connect(str(database), read_only=True) as con:
        return sorted(con.execute(f"select * exclude (_events_through_row) from {SEND_EVENTS}").fetchall(),
                      key=repr)


def test_incremental_send_events_equal_full_refresh(builds):
    incremental_db, full_db, _, _, _ = builds
    incremental, full = _send_events(incremental_db), _send_events(full_db)
    assert len(incremental) > 1000
    assert incremental == full
    with duckdb.connect(str(incremental_db), read_only=True) as con:
        # The re-sent SENT events are SENT0 now: their sends left the table (the pre-hook deleted their group).
        resent = [r[0] for r in con.execute(
            "select id from staging.base_hubspot__email_event where _loaded_at = timestamp '2026-11-20' "
            "and _version_rank = 1").fetchall()]
        assert len(resent) == 3
        left = con.execute(f"select count(*) from {SEND_EVENTS} where email_event_id in (?, ?, ?)",
                           resent).fetchone()[0]
        assert left == 0
        # The open that arrived under another spelling of the Gmail mailbox is credited to its send.
        planted = con.execute(f"select recipient_email, is_opened from {SEND_EVENTS} "
                              "where email_event_id = 'ee-planted-gmail-sent'").fetchall()
        assert planted == [("planted@gmail.com", True)]
        # The second build recomputed only the touched groups: most rows keep the first build's watermark.
        watermarks = con.execute(f"select _events_through_row, count(*) from {SEND_EVENTS} "
                                 "group by 1 order by 1").fetchall()
    assert len(watermarks) == 2 and watermarks[0][1] > 10 * watermarks[1][1]


def test_incremental_send_events_look_up_the_touched_groups_once(builds):
    """The groups the arrived events touch (every version of each arrived id, a lookup among all e-mail event
    rows) are found once, by a pre-hook into a helper table that the delete and the model's query read, and that
    the post-hook drops: the incremental query reads the parse model only for its watermark."""
    incremental_db = builds[0]
    compiled = (incremental_db.parent / f"target-{incremental_db.stem}" / "compiled" / "revops" / "models"
                / "intermediate" / "playbooks" / "int_playbooks__email_send_events.sql").read_text()
    assert "int_playbooks__email_send_events__touched_groups" in compiled
    assert compiled.count("base_hubspot__email_event") == 1  # the watermark
    with duckdb.connect(str(incremental_db), read_only=True) as con:
        left = con.execute("select table_name from information_schema.tables "
                           "where table_name like '%touched_groups%'").fetchall()
    assert left == []
