"""The bad-input corpus (tests/fixtures/bad_input): for each kind of damage, the outcome a user needs.

Every case but `missing_column` lands as a part file of ONE raw folder (`<system>/<table>/<case>.csv`) and ONE
dbt build of the quarantine and the row accounting runs on it; `missing_column` stops the loader itself.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import duckdb
import pytest

from revops.build import run_dbt
from revops.contract import get_table
from revops.load import RawFileError, load_all

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_input"
LOADER_ONLY = {"missing_column"}
# Fixtures are `<table>.csv.fixture`: dbt reads every *.csv under tests/ as a unit-test fixture, and these
# are damaged on purpose (non-UTF-8 bytes would break `dbt parse`).
SUFFIX = ".csv.fixture"
SHARED_CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and p.name not in LOADER_ONLY)

# case -> (system, table, reason_code, quarantined_by, text the reason must contain)
QUARANTINED = {
    "wrong_type": ("salesforce", "account", "non_numeric_value", "staging", "number_of_employees: 'lots'"),
    "unknown_currency": ("stripe", "customer", "unknown_currency", "staging", "'xyz'"),
    "malformed_timestamp": ("stripe", "customer", "unparseable_timestamp", "staging", "'31/02/2024'"),
    "future_date": ("stripe", "customer", "future_timestamp", "staging", "2099-01-01"),
    # dated 8 days after the export that carried it (its _loaded_at): quarantined whatever the day of the build;
    # the good row beside it, 21 hours after its export, is within the one-day allowance (var future_tolerance_days)
    "after_its_export": ("stripe", "customer", "future_timestamp", "staging",
                         "later than its export (_loaded_at, else now) in created: '2026-11-10T00:00:00Z'"),
    "negative_amount": ("stripe", "charge", "negative_amount", "staging", "'-500'"),
    # a line's amount may be negative (a proration credit, the good row beside it), its quantity never
    "negative_quantity": ("stripe", "invoice_line_item", "negative_amount", "staging", "in quantity: '-2'"),
    # beyond decimal(18, 6): quarantined, never silently rounded
    "out_of_range_number": ("stripe", "charge", "non_numeric_value", "staging",
                            "non-numeric or out-of-range value in amount: '10000000000000'"),
    "huge_field": ("salesforce", "account", "field_too_long", "staging", "name: 20000"),
    # a 1900 default date would stretch every month spine that starts at it past the months that matter
    "ancient_date": ("stripe", "customer", "implausible_timestamp", "staging",
                     "timestamp before 1970-01-01 (var min_plausible_date) in created: '1900-01-01T00:00:00Z'"),
    "unparseable_loaded_at": ("stripe", "customer", "unparseable_timestamp", "staging", "_loaded_at: 'yesterday'"),
    "huge_email": ("stripe", "customer", "field_too_long", "staging", "email: 20008"),
    # a thousands separator: quarantined, never read as 1.2 or 1200 by guess (1.200,00 is the same amount elsewhere)
    "thousands_separator": ("salesforce", "opportunity", "non_numeric_value", "staging",
                            "non-numeric or out-of-range value in amount: '1,200.00'"),
    # a digit separator: DuckDB's cast reads 1_200.00 as 1200, PostgreSQL 15's and Spark's as no number; the
    # contract's numbers have none, so it is not a number on any engine
    "underscore_number": ("salesforce", "opportunity", "non_numeric_value", "staging",
                          "non-numeric or out-of-range value in amount: '1_200.00'"),
    # 2.5 seats: never rounded to 3 (nor cents with a fraction to an odd amount)
    "fractional_quantity": ("stripe", "subscription_item", "non_integer_value", "staging",
                            "not a whole number in quantity: '2.5'"),
    # a minor-unit amount cannot be typed without its currency's exponent: not staged as NULL in silence
    "missing_currency": ("stripe", "charge", "missing_currency", "staging",
                         "amount in minor units (amount, amount_refunded) without a currency in currency"),
    "broken_csv_quoting": ("salesforce", "contact", "unparseable_record", "loader", "line 3"),
    "non_utf8_bytes": ("salesforce", "contact", "unparseable_record", "loader", "line 3"),
    # a quote never closed: that line alone, not the good line after it read into its value
    "unterminated_quote": ("zendesk", "organization", "unparseable_record", "loader",
                           "UNTERMINATED QUOTE at line 2 in column name"),
    # two exports joined (`cat a.csv b.csv`, b holding no rows): its header is no user with id `id`
    "repeated_header": ("zendesk", "user", "unparseable_record", "loader", "REPEATED HEADER at line 3"),
    # an FX rate of 0 would zero every amount it converts (and fake a churn of every company billed in it)
    "zero_fx_rate": ("finance", "fx_rate", "non_positive_value", "staging",
                     "zero or negative value in rate_to_usd (must be above 0): '0'"),
    # an export's placeholder for no value is no key: two tickets with id N/A would collapse into one
    "placeholder_id": ("zendesk", "ticket", "missing_primary_key", "staging",
                       "missing primary key id (a placeholder for no value: 'N/A')"),
    # NULL is no value in a timestamp, but in a key it is a key missing: not staged with a NULL date
    "placeholder_in_a_key": ("finance", "fx_rate", "unparseable_timestamp", "staging", "in date: 'NULL'"),
    # the same header edited in a spreadsheet: tabs after two names, a CRLF line end
    "repeated_header_with_tabs": ("zendesk", "user", "unparseable_record", "loader", "REPEATED HEADER at line 3"),
}


def _records(path: Path) -> int:
    """Data records of a fixture file (none of them spans lines): non-empty lines after the header."""
    lines = [line for line in path.read_bytes().split(b"\n") if line.strip()]
    return max(0, len(lines) - 1)


def land_corpus(raw: Path) -> dict[str, int]:
    """Every shared case as a part file of one raw folder: ``<system>/<table>/<case>.csv``; returns the records
    the fixtures hold per table (``system.table``)."""
    expected_rows: dict[str, int] = {}
    for case in SHARED_CASES:
        for src in (CORPUS / case).rglob(f"*{SUFFIX}"):
            system, table = src.parent.name, src.name.removesuffix(SUFFIX)
            dest = raw / system / table / f"{case}.csv"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            expected_rows[f"{system}.{table}"] = expected_rows.get(f"{system}.{table}", 0) + _records(src)
    return expected_rows


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad_input")
    raw = root / "raw"
    expected_rows = land_corpus(raw)
    database = root / "w.duckdb"
    loads = load_all(raw, database, progress=False)
    warnings = [w for r in loads for w in r.warnings]
    build = run_dbt(["build", "--select", "+raw_quarantine", "+raw_row_accounting",
                     "--exclude-resource-type", "unit_test"],
                    target_path=root / "target", env={"REVOPS_DUCKDB_PATH": str(database), "REVOPS_RAW_DIR": str(raw)},
                    quiet=True)
    assert build.statuses[("model", "error")] == 0 and build.statuses[("model", "success")] > 60, build.failures
    con = duckdb.connect(str(database), read_only=True)
    yield {"con": con, "warnings": warnings, "expected_rows": expected_rows, "target": root / "target",
           "build": build}
    con.close()


def _one(con, sql: str, params: list) -> list[tuple]:
    return con.execute(sql, params).fetchall()


def test_missing_column_stops_the_load_naming_file_column_and_row(tmp_path):
    raw = tmp_path / "raw"
    (raw / "salesforce").mkdir(parents=True)
    shutil.copyfile(CORPUS / "missing_column" / "salesforce" / f"opportunity{SUFFIX}", raw / "salesforce" / "opportunity.csv")
    with pytest.raises(RawFileError) as err:
        load_all(raw, tmp_path / "w.duckdb", tables=[get_table("salesforce", "opportunity")], progress=False)
    message = str(err.value)
    assert str(raw / "salesforce" / "opportunity.csv") in message
    assert "column 'amount'" in message and "(row 1)" in message


@pytest.mark.parametrize("case", sorted(QUARANTINED))
def test_damaged_row_is_quarantined_with_its_reason(corpus, case):
    system, table, code, by, text = QUARANTINED[case]
    rows = _one(corpus["con"],
                "select reason_code, quarantined_by, reason, source_row, source_line from quality.raw_quarantine "
                "where source_system = ? and source_table = ? and source_file = ?",
                [system, table, f"{system}/{table}/{case}.csv"])
    assert len(rows) == 1, rows
    reason_code, quarantined_by, reason, source_row, source_line = rows[0]
    assert (reason_code, quarantined_by) == (code, by)
    assert text in reason, reason
    # the row is located: its record number (staging) or its line in the file (loader)
    assert (source_row if by == "staging" else source_line) is not None


@pytest.mark.parametrize("case", sorted(QUARANTINED))
def test_good_rows_beside_a_damaged_one_are_staged(corpus, case):
    system, table, *_ = QUARANTINED[case]
    staged = _one(corpus["con"], f"select count(*) from staging.base_{system}__{table} "
                                 "where _source_file = ? and _quarantine_code is null",
                  [f"{system}/{table}/{case}.csv"])[0][0]
    assert staged == 1


def test_extra_column_is_kept_and_its_row_staged(corpus):
    con = corpus["con"]
    assert _one(con, "select crm_region from raw_salesforce.account where id = '001EXTRA01'", []) == [("EMEA",)]
    assert _one(con, "select count(*) from staging.stg_salesforce__account where account_id = '001EXTRA01'", []) == [(1,)]
    assert any("crm_region" in w for w in corpus["warnings"])


def test_empty_file_warns_naming_the_file_and_builds_empty(corpus):
    assert any("hubspot/campaign/empty_file.csv" in w and "empty file" in w for w in corpus["warnings"])
    assert _one(corpus["con"], "select raw_rows, is_balanced from quality.raw_row_accounting "
                               "where source_system = 'hubspot' and source_table = 'campaign'", []) == [(0, True)]



def test_blank_lines_before_the_header_are_skipped_and_every_row_staged(corpus):
    """Blank lines (one empty, one a space; CRLF) before the header read the file as empty: no row, a balanced
    row accounting, in silence. They are skipped: both rows land and are staged."""
    assert not any("blank_first_line.csv" in w for w in corpus["warnings"])
    assert _one(corpus["con"], "select product_id, _source_row from staging.stg_stripe__product "
                               "where _source_file = 'stripe/product/blank_first_line.csv' order by 1", []) == [
        ("prod_BLANK01", 1), ("prod_BLANK02", 2)]


def test_an_added_column_named_filename_is_kept_and_its_rows_staged(corpus):
    """An export adding a column `filename` stopped the whole load (DuckDB's readers add a column of that name)."""
    con = corpus["con"]
    assert _one(con, "select id, filename from raw_stripe.product "
                     "where _source_file = 'stripe/product/filename_column.csv' order by 1", []) == [
        ("prod_FILE001", "pro-plan.pdf"), ("prod_FILE002", None)]
    assert _one(con, "select count(*) from staging.stg_stripe__product where product_id like 'prod_FILE%'", []) == [
        (2,)]

def test_duplicate_primary_key_keeps_the_latest_version(corpus):
    con = corpus["con"]
    assert _one(con, "select customer_name from staging.stg_stripe__customer where customer_id = 'cus_DUP0001'", []) == [
        ("Acme New",)]
    assert _one(con, "select duplicate_rows from quality.raw_row_accounting "
                     "where source_system = 'stripe' and source_table = 'customer'", []) == [(1,)]


def test_orphan_foreign_key_is_staged_and_flagged_by_a_warning_test(corpus):
    assert _one(corpus["con"], "select customer_id from staging.stg_stripe__subscription "
                               "where subscription_id = 'sub_ORPHAN01'", []) == [("cus_NEVERARRIVED",)]
    results = json.loads((corpus["target"] / "run_results.json").read_text())["results"]
    test = [r for r in results if r["unique_id"].startswith("test.revops.relationships_stg_stripe__subscription_customer_id")]
    assert len(test) == 1 and test[0]["status"] == "warn" and test[0]["failures"] == 1


def test_id_and_email_with_a_trailing_tab_are_trimmed_and_join(corpus):
    """An id and an email ending in a tab (a spreadsheet edit): the customer is staged as cus_TAB0001, so the
    subscription pointing at it is no orphan, and the email is a plain address."""
    con = corpus["con"]
    assert _one(con, "select customer_id, email from staging.stg_stripe__customer where customer_id like 'cus_TAB%'",
                []) == [("cus_TAB0001", "tab@example.com")]
    assert _one(con, "select count(*) from staging.stg_stripe__subscription as s join staging.stg_stripe__customer "
                     "as c on s.customer_id = c.customer_id where s.subscription_id = 'sub_TAB0001'", []) == [(1,)]


def test_bom_and_crlf_line_ends_are_read_as_plain_csv(corpus):
    """A file starting with a UTF-8 byte order mark, its lines ending in CRLF: the first column is `id` (not
    BOM + id) and the last value carries no CR, so both rows are staged with their _loaded_at."""
    assert _one(corpus["con"], "select user_id, cast(_loaded_at as varchar) from staging.stg_zendesk__user "
                               "where _source_file = 'zendesk/user/bom_and_crlf.csv' order by 1", []) == [
        ("900000001", "2026-11-02 02:00:00"), ("900000002", "2026-11-02 02:00:00")]


def test_row_accounting_balances_and_counts_every_fixture_record(corpus):
    rows = {f"{s}.{t}": (raw, balanced) for s, t, raw, balanced in _one(
        corpus["con"], "select source_system, source_table, raw_rows, is_balanced from quality.raw_row_accounting", [])}
    assert all(balanced for _, balanced in rows.values()), {k: v for k, v in rows.items() if not v[1]}
    for table, n in corpus["expected_rows"].items():
        assert rows[table][0] == n, f"{table}: {n} records in the fixtures, {rows[table][0]} accounted for"
    assert corpus["build"].statuses[("test", "fail")] == 0, corpus["build"].failures


def test_loader_rejects_a_record_over_the_line_limit(tmp_path):
    """A field so large that its line passes 1 MiB (the loader's limit) is rejected with its line, not lost."""
    table = get_table("salesforce", "account")
    src = (CORPUS / "huge_field" / "salesforce" / f"account{SUFFIX}").read_bytes().split(b"\n")
    huge = src[2].replace(b"X" * 20000, b"X" * 1_100_000)
    path = tmp_path / "raw" / "salesforce" / "account.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\n".join([src[0], src[1], huge, b""]))
    result = load_all(tmp_path / "raw", tmp_path / "w.duckdb", tables=[table], progress=False)[0]
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute("select source_file, line from raw_meta.load_rejects").fetchall() == [
            ("salesforce/account.csv", 3)]


logging.getLogger("revops.load").setLevel(logging.ERROR)


def test_timestamps_off_the_usual_shape_parse_to_utc(corpus):
    """The parse models cast the usual export shape (2024-01-01T00:00:00Z) directly; any other ISO 8601 shape
    (space separator, an offset) goes through the general path and lands in UTC."""
    assert _one(corpus["con"], "select cast(created_at as varchar) from staging.stg_stripe__charge "
                               "where charge_id = 'ch_OOR00001'", []) == [("2024-01-01 01:00:00",)]


def test_a_placeholder_foreign_key_is_staged_as_null(corpus):
    """`null` and `N/A` in a ticket's requester and organisation are no ids: NULL, not a requester called null."""
    assert _one(corpus["con"], "select requester_id, organization_id from staging.stg_zendesk__ticket "
                               "where ticket_id = '700000001'", []) == [(None, None)]


def test_enumerated_values_take_the_contract_spelling_in_any_case(corpus):
    """`new business`, `CLOSED WON`, `closed`, `sent`, `Open` are the contract's values in another case: staged in
    its spelling, so the models that compare them (`opportunity_type = 'New Business'`) count them. A value the
    contract does not list (an org's own stage, HubSpot's PROCESSED) is staged as landed, named by a warn test."""
    con = corpus["con"]
    assert _one(con, "select opportunity_id, opportunity_type, stage_name, forecast_category "
                     "from staging.stg_salesforce__opportunity where opportunity_id like '006ENUM%' order by 1", []) == [
        ("006ENUM001", "New Business", "Closed Won", "Closed"),
        ("006ENUM002", "Pilot", "Closed Won - Pending Finance", "Closed")]
    assert _one(con, "select email_event_id, event_type from staging.stg_hubspot__email_event "
                     "where email_event_id like 'ee-ENUM%' order by 1", []) == [
        ("ee-ENUM1", "SENT"), ("ee-ENUM2", "OPEN"), ("ee-ENUM3", "PROCESSED")]
    results = json.loads((corpus["target"] / "run_results.json").read_text())["results"]
    warned = {r["unique_id"].split(".")[2] for r in results if r["status"] == "warn"}
    assert any(name.startswith("accepted_values_stg_salesforce__opportunity_opportunity_type") for name in warned)
    assert any(name.startswith("accepted_values_stg_hubspot__email_event_event_type") for name in warned)


def test_a_placeholder_in_a_timestamp_or_boolean_is_no_value(corpus):
    """`canceled_at = NULL`, `ended_at = null`, `trial_end = N/A`, `cancel_at_period_end = NULL`: a subscription
    never canceled, staged with those columns NULL (it was quarantined as unparseable, and its MRR lost)."""
    assert _one(corpus["con"], "select trial_ends_at, is_cancel_at_period_end, canceled_at, ended_at, "
                               "cast(current_period_end_at as varchar) from staging.stg_stripe__subscription "
                               "where subscription_id = 'sub_NULL0001'", []) == [
        (None, None, None, None, "2026-11-01 00:00:00")]
    assert _one(corpus["con"], "select count(*) from quality.raw_quarantine where source_file = "
                               "'stripe/subscription/placeholder_id.csv'", []) == [(0,)]
