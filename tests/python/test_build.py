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


def test_every_planted_unparseable_value_is_quarantined_with_its_reason(sample_warehouse):
    planted = Counter(
        (row["source_system"], row["source_table"], QUARANTINED_KINDS[row["kind"]])
        for row in _mess(sample_warehouse)
        if row["kind"] in QUARANTINED_KINDS
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
