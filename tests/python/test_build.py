"""`dbt build` on the generated sample: every raw row accounted for, every planted defect where it belongs."""

from __future__ import annotations

import csv
import json
from collections import Counter

from revops.contract import raw_tables

# Defects the generator plants that staging must quarantine, and the reason each gets.
QUARANTINED_KINDS = {
    "bad_amount": "non_numeric_value",
    "bad_currency": "unknown_currency",
    "bad_timestamp": "unparseable_timestamp",
    "missing_pk": "missing_primary_key",
}


def _mess(warehouse) -> list[dict]:
    with (warehouse.truth_dir / "mess.csv").open() as handle:
        return list(csv.DictReader(handle))


def test_build_ran_every_test_without_error(sample_warehouse):
    statuses = sample_warehouse.build.statuses
    assert statuses[("test", "pass")] > 100
    assert statuses[("test", "fail")] == 0 and statuses[("test", "error")] == 0
    assert statuses[("model", "error")] == 0


def test_raw_rows_reconcile_with_what_the_generator_wrote(sample_warehouse):
    written = json.loads((sample_warehouse.truth_dir / "summary.json").read_text())["counts"]
    accounted = {
        f"{system}.{table}": (raw, balanced)
        for system, table, raw, balanced in sample_warehouse.query(
            "select source_system, source_table, raw_rows, is_balanced from quality.raw_row_accounting"
        )
    }
    assert set(accounted) == {t.qualified_name for t in raw_tables()}
    for name, rows in written.items():
        assert accounted[name] == (rows, True), name


def _lines_with_currency_from_invoice(warehouse) -> dict[str, str]:
    """Staged Stripe invoice lines whose own currency was unknown or missing: line id -> the value as landed."""
    return dict(warehouse.query(
        "select invoice_line_item_id, currency_as_landed from staging.stg_stripe__invoice_line_item "
        "where is_currency_from_invoice"
    ))


def _repaired_currencies(warehouse) -> set[tuple[str, str]]:
    """(table, id) of the staged Stripe invoice lines and credit notes whose own currency was unknown or missing and
    which took their invoice's."""
    return set(warehouse.query(
        "select 'invoice_line_item', invoice_line_item_id from staging.stg_stripe__invoice_line_item "
        "where is_currency_from_invoice "
        "union all select 'credit_note', credit_note_id from staging.stg_stripe__credit_note "
        "where is_currency_from_invoice"
    ))


def test_every_planted_unparseable_value_is_quarantined_with_its_reason(sample_warehouse):
    # A planted bad currency on an invoice line or a credit note is repaired from its invoice (below), not
    # quarantined.
    repaired = _repaired_currencies(sample_warehouse)
    planted = Counter(
        (row["source_system"], row["source_table"], QUARANTINED_KINDS[row["kind"]])
        for row in _mess(sample_warehouse)
        if row["kind"] in QUARANTINED_KINDS
        and not (row["kind"] == "bad_currency" and (row["source_table"], row["source_id"]) in repaired)
    )
    assert planted, "the sample should plant unparseable values"
    found = Counter({
        (system, table, code): n
        for system, table, code, n in sample_warehouse.query(
            "select source_system, source_table, reason_code, count(*) from quality.raw_quarantine "
            "group by source_system, source_table, reason_code"
        )
    })
    for key, n in planted.items():
        # A planted row that was also re-sent as an exact duplicate is quarantined twice: at least n.
        assert found[key] >= n, f"{key}: planted {n}, quarantined {found[key]}"


def test_a_planted_bad_line_currency_is_staged_with_its_invoice_currency_and_flagged(sample_warehouse):
    """Every staged line flagged is_currency_from_invoice is a planted bad currency (XXX), and it carries its
    invoice's currency; on the default sample there is at least one (il_43VnDAbLMvY on a USD invoice)."""
    planted = {r["source_id"] for r in _mess(sample_warehouse)
               if r["kind"] == "bad_currency" and r["source_table"] == "invoice_line_item"}
    repaired = _lines_with_currency_from_invoice(sample_warehouse)
    assert repaired, "the sample should plant a bad currency on an invoice line whose invoice is fine"
    assert set(repaired) <= planted and set(repaired.values()) == {"XXX"}
    mismatched = sample_warehouse.query(
        "select count(*) from staging.stg_stripe__invoice_line_item as l "
        "join staging.stg_stripe__invoice as i using (invoice_id) "
        "where l.is_currency_from_invoice and l.currency <> i.currency"
    )
    assert mismatched == [(0,)]


def test_exact_duplicates_collapse_into_one_row(sample_warehouse):
    planted = Counter((r["source_system"], r["source_table"]) for r in _mess(sample_warehouse)
                      if r["kind"] == "exact_duplicate")
    accounting = {(s, t): (dup, q) for s, t, dup, q in sample_warehouse.query(
        "select source_system, source_table, duplicate_rows, quarantined_rows from quality.raw_row_accounting")}
    for key, n in planted.items():
        collapsed, quarantined = accounting[key]
        # A planted duplicate is collapsed, unless the row it copies was quarantined (then both copies are).
        assert collapsed >= n - quarantined, f"{key}: planted {n} duplicates, collapsed {collapsed}"


def test_sample_has_no_quarantine_reason_the_generator_did_not_plant(sample_warehouse):
    planted_codes = {QUARANTINED_KINDS[r["kind"]] for r in _mess(sample_warehouse) if r["kind"] in QUARANTINED_KINDS}
    found = {code for (code,) in sample_warehouse.query("select distinct reason_code from quality.raw_quarantine")}
    assert found <= planted_codes | {"unparseable_record"}, found - planted_codes


def test_deals_entered_twice_are_flagged(sample_warehouse):
    """The generator's reps enter some closed new-business deals twice (mess kind duplicate_deal, a later
    opportunity id with the same account, outcome, amount, currency and close date). fct_opportunities flags
    exactly those as is_duplicate_entry (one whose row a bad value garbled may or may not be), never the first
    entry, which stands for the deal in the sales KPIs."""
    planted = [r for r in _mess(sample_warehouse) if r["kind"] == "duplicate_deal"]
    comparable = {r["source_id"] for r in planted if "not comparable" not in r["detail"]}
    assert len(comparable) >= 3, "the sample should hold deals entered twice"
    flagged = {r[0] for r in sample_warehouse.query(
        "select opportunity_id from marts.fct_opportunities where is_duplicate_entry")}
    assert comparable <= flagged, f"deals entered twice not flagged: {sorted(comparable - flagged)[:5]}"
    assert flagged <= {r["source_id"] for r in planted}, f"flagged but not planted: {sorted(flagged - comparable)[:5]}"
    originals = {r["detail"].split()[3] for r in planted if r["source_id"] in comparable}
    assert not originals & flagged, "the first entry of a deal must stand for it, not be flagged"
