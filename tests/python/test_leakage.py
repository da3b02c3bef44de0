"""fct_revenue_leakage on the sample against the generator's ground truth (leakage.csv): every case the generator
planted or the simulation produced is found, and nothing else is flagged, per leakage_type on the ids the case is
about; the amount at risk agrees to the cent (reporting currency, the mart's FX) and the reference date to the day."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

# The natural key of each leakage type: the ids of the records a person opens to fix the case.
KEYS = {
    "closed_won_not_invoiced": ("salesforce_opportunity_id",),
    "invoiced_below_contract": ("salesforce_opportunity_id", "stripe_invoice_id"),
    "invoice_unpaid_past_due": ("stripe_invoice_id",),
    "churned_in_billing_active_in_crm": ("salesforce_account_id", "stripe_customer_id"),
    "active_in_billing_churned_in_crm": ("salesforce_account_id", "stripe_customer_id"),
    "renewal_without_opportunity": ("stripe_subscription_id",),
    "refunded_without_credit_note": ("stripe_invoice_id",),
}
# Further ids every row of a type must carry (beyond its key) so the case can be fixed.
FIX_IDS = {
    "closed_won_not_invoiced": ("salesforce_account_id",),
    "invoiced_below_contract": ("salesforce_account_id", "stripe_customer_id"),
    "invoice_unpaid_past_due": ("stripe_customer_id", "stripe_subscription_id"),
    "churned_in_billing_active_in_crm": ("salesforce_opportunity_id",),
    "active_in_billing_churned_in_crm": ("salesforce_opportunity_id",),
    "renewal_without_opportunity": ("stripe_customer_id",),
    "refunded_without_credit_note": ("stripe_customer_id",),
}
COLUMNS = ["leakage_type", "salesforce_opportunity_id", "salesforce_account_id", "stripe_customer_id",
           "stripe_subscription_id", "stripe_invoice_id", "amount_at_risk", "reference_date"]


def _key(row: dict, kind: str) -> tuple[str, ...]:
    return tuple(row[c] or "" for c in KEYS[kind])


@pytest.fixture(scope="module")
def truth(sample_warehouse) -> list[dict]:
    with open(sample_warehouse.truth_dir / "leakage.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def leakage(sample_warehouse) -> list[dict]:
    rows = sample_warehouse.query(f"select {', '.join(COLUMNS)} from marts.fct_revenue_leakage")
    return [dict(zip(COLUMNS, r)) for r in rows]


def test_the_ground_truth_lists_planted_cases_of_every_type(truth):
    for kind in KEYS:
        planted = [r for r in truth if r["leakage_type"] == kind and r["planted"] == "true"]
        assert planted, f"no planted {kind} in the sample's ground truth"


@pytest.mark.parametrize("kind", list(KEYS))
def test_the_mart_finds_every_true_case_and_flags_no_other(kind, truth, leakage):
    """Recall and precision 1.0 per type. No sub-case is excluded: with the crosswalk right, every case is
    decidable from the data (broken account links and soft deletes are in the data; the truth reads them too)."""
    expected = {_key(r, kind): r for r in truth if r["leakage_type"] == kind}
    found = {_key(r, kind): r for r in leakage if r["leakage_type"] == kind}
    assert len(found) == sum(1 for r in leakage if r["leakage_type"] == kind), f"{kind}: key not unique in the mart"
    missed = sorted(expected.keys() - found.keys())
    extra = sorted(found.keys() - expected.keys())
    assert not missed, f"{kind}: {len(missed)} of {len(expected)} true cases missed, e.g. {missed[:5]}"
    assert not extra, f"{kind}: {len(extra)} flagged cases not in the ground truth, e.g. {extra[:5]}"
    wrong = [(k, expected[k]["amount_at_risk"], found[k]["amount_at_risk"]) for k in expected
             if abs(Decimal(expected[k]["amount_at_risk"]) - Decimal(found[k]["amount_at_risk"])) > Decimal("0.01")]
    assert not wrong, f"{kind}: amount_at_risk differs from the ground truth, e.g. {wrong[:5]}"
    dates = {k: found[k]["reference_date"] and found[k]["reference_date"].isoformat() for k in expected}
    misdated = [(k, expected[k]["reference_date"], dates[k]) for k in expected
                if expected[k]["reference_date"] != dates[k]]
    assert not misdated, f"{kind}: reference_date differs from the ground truth, e.g. {misdated[:5]}"


def test_every_case_has_its_fix_ids_and_an_amount_in_reporting_currency(leakage):
    assert leakage
    for row in leakage:
        for column in KEYS[row["leakage_type"]] + FIX_IDS[row["leakage_type"]]:
            assert row[column], (row["leakage_type"], column, row)
        assert row["amount_at_risk"] is not None and row["amount_at_risk"] >= 0, row


def test_the_generator_decides_the_truth_with_the_marts_policy_vars():
    """The ground truth applies the same policy as the mart: config's constants equal dbt_project.yml's vars."""
    from pathlib import Path

    import yaml

    from revops.generator import config

    project = yaml.safe_load((Path(__file__).resolve().parents[2] / "dbt_project.yml").read_text(encoding="utf-8"))
    policy = {name: project["vars"][name] for name in (
        "leakage_payment_terms_days", "leakage_invoice_grace_days", "leakage_allowed_discount",
        "leakage_renewal_window_days")}
    assert policy == {
        "leakage_payment_terms_days": config.LEAKAGE_PAYMENT_TERMS_DAYS,
        "leakage_invoice_grace_days": config.LEAKAGE_INVOICE_GRACE_DAYS,
        "leakage_allowed_discount": config.LEAKAGE_ALLOWED_DISCOUNT,
        "leakage_renewal_window_days": config.LEAKAGE_RENEWAL_WINDOW_DAYS,
    }
