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
SERIES_DAYS, SERIES_CUSTOMERS = 210, 10
SERIES_GAPS = 5 * 21  # 1995 rows: 1 % is 20, as for the other tables


@pytest.fixture()
def raw(tmp_path):
    """Part 0 of every append-mostly table, text columns as exported: ROWS rows, one a day from FIRST_DAY, except
    usage, a series keyed by day and customer: SERIES_CUSTOMERS customers a day over SERIES_DAYS days, the
    first five customers missing every tenth day (SERIES_GAPS rows an export skipped)."""
    with duckdb.connect() as con:
        for table in raw_tables():
            if not table.is_incremental:
                continue
            time_column = INCREMENT_TIME_COLUMNS[(table.system, table.table)]
            folder = tmp_path / table.system / table.table
            folder.mkdir(parents=True)
            if table.table == "usage_daily":
                rows = (f"select cast(date '{FIRST_DAY}' + cast(d as integer) as varchar) as date, "
                        "'cus-' || c as stripe_customer_id, "
                        "cast(c + d as varchar) as active_users, '50' as seats_purchased, "
                        "cast(d as varchar) as key_events "
                        f"from range({SERIES_DAYS}) as days(d), range({SERIES_CUSTOMERS}) as customers(c) "
                        "where not (c < 5 and d % 10 = 5)")
            else:
                columns = ", ".join(
                    f"cast(date '{FIRST_DAY}' + cast(i as integer) as varchar) as \"{c}\"" if c == time_column
                    else f"'{c}-' || i as \"{c}\"" for c in table.columns
                )
                rows = f"select {columns} from range({ROWS}) as t(i)"
            con.execute(f"copy ({rows}) to '{folder / 'part-00000.parquet'}' (format parquet)")
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
        if table.table == "usage_daily":
            continue  # a series: test_series_increments_add_days_of_existing_customers
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


def test_series_increments_add_days_of_existing_customers(raw):
    """Usage is keyed by (day, customer): new rows are new days of customers that exist (a suffixed customer id
    would be an orphan), the recent ones after the last day, the backfill ones in the days an export skipped."""
    folder = raw / "product" / "usage_daily"
    known = _read(folder / "part-00000.parquet")
    known_keys = set(zip(known["date"], known["stripe_customer_id"]))
    last_day = FIRST_DAY + dt.timedelta(days=SERIES_DAYS - 1)
    append_increment(raw, share=0.01, part=1, loaded_at="2026-11-03T02:00:00Z", recent_days=31)
    recent = _read(folder / "part-00001.parquet")
    days = recent["date"].map(dt.date.fromisoformat)
    # the last 31 days hold 9.5 rows a day, so 20 rows take the last 3 days again, 3 days later
    assert len(recent) == 20 and days.min() > last_day and days.max() <= last_day + dt.timedelta(days=3)
    assert set(recent["stripe_customer_id"]) <= set(known["stripe_customer_id"])
    assert not set(zip(recent["date"], recent["stripe_customer_id"])) & known_keys
    assert len(set(zip(recent["date"], recent["stripe_customer_id"]))) == 20
    # each row copies the customer's row three days before, and is loaded the morning after its day at the earliest
    before = known.set_index(["date", "stripe_customer_id"])["active_users"]
    for row in recent.rename(columns={"_loaded_at": "loaded_at"}).itertuples():
        earlier = (dt.date.fromisoformat(row.date) - dt.timedelta(days=3)).isoformat()
        assert row.active_users == before[(earlier, row.stripe_customer_id)]
        assert row.loaded_at >= f"{dt.date.fromisoformat(row.date) + dt.timedelta(days=1)}T02:00:00Z"
        assert row.loaded_at >= "2026-11-03T02:00:00Z"

    append_increment(raw, share=0.01, part=2, loaded_at="2026-11-04T02:00:00Z")
    backfill = _read(folder / "part-00002.parquet")
    assert len(backfill) == 20 <= SERIES_GAPS
    for row in backfill.itertuples():
        day = dt.date.fromisoformat(row.date)
        customer = int(row.stripe_customer_id.removeprefix("cus-"))
        assert customer < 5 and (day - FIRST_DAY).days % 10 == 5  # exactly the skipped days
        assert (row.date, row.stripe_customer_id) not in known_keys
        # values copied from the customer's day before (active_users = customer + day)
        assert row.active_users == str(customer + (day - FIRST_DAY).days - 1)
    assert set(backfill["_loaded_at"]) == {"2026-11-04T02:00:00Z"}
    assert not set(zip(backfill["date"], backfill["stripe_customer_id"])) & set(
        zip(recent["date"], recent["stripe_customer_id"]))


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


def test_node_phase_is_what_dbt_spent_running_the_nodes(tmp_path):
    from revops.bench import node_phase

    assert node_phase(tmp_path / "run_results.json") == (None, None)  # no build ran
    (tmp_path / "run_results.json").write_text(
        '{"elapsed_time": 19.75, "results": [{"unique_id": "model.revops.a"}, {"unique_id": "test.revops.b"}]}')
    assert node_phase(tmp_path / "run_results.json") == (2, 19.75)


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


def test_series_increments_of_a_table_without_a_usable_day_are_empty(tmp_path):
    """Usage whose days do not parse has no last day and no span: both increments add nothing, without error."""
    from revops.bench import series_increment
    from revops.contract import get_table

    usage = get_table("product", "usage_daily")
    path = tmp_path / "usage.parquet"
    with duckdb.connect() as con:
        con.execute(f"copy (select 'not a day' as date, 'cus-1' as stripe_customer_id, '1' as active_users, "
                    f"'1' as seats_purchased, '1' as key_events) to '{path}' (format parquet)")
        reader = f"read_parquet('{path}')"
        for recent_days in (31, None):
            query = series_increment(con, usage, reader, "date", 1, "2026-11-03T02:00:00Z", recent_days)
            assert con.execute(f"select count(*) from ({query})").fetchone()[0] == 0
