"""The benchmark's increments (revops.bench.append_increment): the share of rows asked for, new keys, and for
the "recent" increment only rows of the last weeks of each table's time column."""

from __future__ import annotations

import datetime as dt
import os
import subprocess

import duckdb
import pytest

from revops.bench import INCREMENT_TIME_COLUMNS, append_increment
from revops.contract import raw_tables

ROWS = 2000
FIRST_DAY = dt.date(2024, 1, 1)


@pytest.fixture()
def raw(tmp_path):
    """Part 0 of every append-mostly table: ROWS rows, one a day from FIRST_DAY, text columns as exported."""
    with duckdb.connect() as con:
        for table in raw_tables():
            if not table.is_incremental:
                continue
            time_column = INCREMENT_TIME_COLUMNS[(table.system, table.table)]
            columns = ", ".join(
                f"cast(date '{FIRST_DAY}' + cast(i as integer) as varchar) as \"{c}\"" if c == time_column
                else f"'{c}-' || i as \"{c}\"" for c in table.columns
            )
            folder = tmp_path / table.system / table.table
            folder.mkdir(parents=True)
            con.execute(f"copy (select {columns} from range({ROWS}) as t(i)) to '{folder / 'part-00000.parquet'}' "
                        "(format parquet)")
    return tmp_path


def _read(path):
    with duckdb.connect() as con:
        return con.execute(f"select * from read_parquet('{path}')").df()


def test_recent_increment_takes_one_percent_of_the_last_weeks_as_new_keys(raw):
    added = append_increment(raw, share=0.01, part=1, loaded_at="2026-11-03T02:00:00Z", recent_days=31)
    incremental = [t for t in raw_tables() if t.is_incremental]
    assert added == 20 * len(incremental)
    last_day = FIRST_DAY + dt.timedelta(days=ROWS - 1)
    for table in incremental:
        frame = _read(raw / table.system / table.table / "part-00001.parquet")
        time_column = INCREMENT_TIME_COLUMNS[(table.system, table.table)]
        days = frame[time_column].map(dt.date.fromisoformat)
        assert len(frame) == 20
        assert days.min() >= last_day - dt.timedelta(days=31), table.table
        key = table.primary_key[-1]
        assert frame[key].str.endswith("-inc1").all() and frame[key].is_unique
        assert set(frame["_loaded_at"]) == {"2026-11-03T02:00:00Z"}


def test_backfill_increment_samples_all_of_history(raw):
    added = append_increment(raw, share=0.01, part=2, loaded_at="2026-11-04T02:00:00Z")
    assert added == 20 * len([t for t in raw_tables() if t.is_incremental])
    frame = _read(raw / "hubspot" / "email_event" / "part-00002.parquet")
    days = frame["created_at"].map(dt.date.fromisoformat)
    assert days.min() < FIRST_DAY + dt.timedelta(days=ROWS // 2) < days.max()
    assert frame["id"].str.endswith("-inc2").all()


def test_each_measured_build_keeps_its_run_results(tmp_path):
    from revops.bench import keep_run_results

    target, work = tmp_path / "target", tmp_path / "scale_1"
    target.mkdir()
    work.mkdir()
    keep_run_results(target, work, "full")  # no build ran: nothing to keep, no error
    assert not list(work.iterdir())
    (target / "run_results.json").write_text('{"results": [{"unique_id": "model.revops.a"}]}')
    keep_run_results(target, work, "full")
    (target / "run_results.json").write_text('{"results": [{"unique_id": "model.revops.b"}]}')
    keep_run_results(target, work, "incremental")
    assert "model.revops.a" in (work / "run_results_full.json").read_text()
    assert "model.revops.b" in (work / "run_results_incremental.json").read_text()


def test_results_name_the_machine_they_were_measured_on():
    from revops.bench import machine_info
    from revops.settings import PROJECT_DIR

    machine = machine_info()
    assert machine["cores"] == os.cpu_count() and machine["cores"] >= 1
    assert machine["duckdb"] == duckdb.__version__
    assert machine["dbt_core"].count(".") == 2
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True)
    assert machine["commit"] == (head.stdout.strip() or None)
    assert machine["memory_gib"] is None or machine["memory_gib"] > 0


def test_busy_share_of_the_cores():
    from revops.bench import busy_share, cpu_ticks

    assert busy_share((1000, 400), (1400, 500)) == 0.75  # 400 jiffies, 100 of them idle
    assert busy_share((1000, 400), (1000, 400)) is None  # no time passed
    assert busy_share(None, (1400, 500)) is None
    before = cpu_ticks()
    sum(i * i for i in range(2_000_000))
    share = busy_share(before, cpu_ticks())
    assert share is None or 0.0 < share <= 1.0
