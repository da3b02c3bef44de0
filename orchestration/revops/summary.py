"""Headline KPIs of the latest complete month and the open revenue leakage, for the main job's summary
(``revops run``).

Reads ``marts.kpi_monthly`` (one row per month; its last month is the MRR ledger's, the last complete month, see
the ``as_of_month`` var) and ``marts.fct_revenue_leakage``. Amounts are in the reporting currency (dbt var
``reporting_currency``).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

COLUMNS = (
    "month", "mrr", "arr", "active_customers", "nrr", "nrr_null_reason", "grr", "logo_churn_rate",
    "logo_churn_rate_null_reason", "cac_paid_media", "cac_fully_loaded", "cac_null_reason", "cac_payback_months",
    "cac_payback_months_null_reason", "win_rate_count", "win_rate_value", "win_rate_null_reason",
    "win_rate_value_null_reason", "new_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr", "reactivation_mrr",
    "nrr_trailing_12m", "grr_trailing_12m", "trailing_12m_null_reason",
)


def _pct(value, reason: str | None = None) -> str:
    return f"{float(value):.1%}" if value is not None else f"n/a ({reason or 'undefined'})"


def _money(value) -> str:
    return f"{float(value):,.0f}" if value is not None else "n/a"


def kpi_summary_lines(database: Path) -> list[str]:
    """About seven short lines of headline KPIs for the latest month of ``marts.kpi_monthly``."""
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            row = con.execute(
                f"select {', '.join(COLUMNS)} from marts.kpi_monthly order by month desc limit 1"
            ).fetchone()
    except duckdb.Error as exc:
        return [f"KPIs unavailable: marts.kpi_monthly could not be read from {database} ({exc.__class__.__name__})"]
    if row is None:
        return ["KPIs unavailable: marts.kpi_monthly is empty (no MRR in the ledger)"]
    k = dict(zip(COLUMNS, row))
    payback = k["cac_payback_months"]
    return [
        f"KPIs of {k['month']:%Y-%m} (last complete month; reporting currency)",
        f"MRR {_money(k['mrr'])}  ARR {_money(k['arr'])}  paying customers {int(k['active_customers'] or 0)}",
        f"MRR bridge: new +{_money(k['new_mrr'])}  expansion +{_money(k['expansion_mrr'])}  "
        f"reactivation +{_money(k['reactivation_mrr'])}  contraction {_money(k['contraction_mrr'])}  "
        f"churn {_money(k['churned_mrr'])}",
        f"NRR {_pct(k['nrr'], k['nrr_null_reason'])}  GRR {_pct(k['grr'], k['nrr_null_reason'])}  "
        f"logo churn {_pct(k['logo_churn_rate'], k['logo_churn_rate_null_reason'])}",
        f"CAC payback "
        + (f"{float(payback):.1f} months" if payback is not None else f"n/a ({k['cac_payback_months_null_reason']})")
        + f"  (CAC fully loaded {_money(k['cac_fully_loaded'])}, paid media {_money(k['cac_paid_media'])})",
        f"win rate {_pct(k['win_rate_count'], k['win_rate_null_reason'])} by count, "
        f"{_pct(k['win_rate_value'], k['win_rate_value_null_reason'])} by value (new business)",
        "trailing 12 months: " + (
            f"NRR {_pct(k['nrr_trailing_12m'])}  GRR {_pct(k['grr_trailing_12m'])} (the customers of 12 months before)"
            if k["nrr_trailing_12m"] is not None else f"NRR and GRR n/a ({k['trailing_12m_null_reason']})"),
    ]


def leakage_summary_lines(database: Path, top: int = 3) -> list[str]:
    """Two short lines on ``marts.fct_revenue_leakage``: its cases and the amount at risk (reporting currency; a case
    no FX rate converts is counted, not summed, and said so), then the ``top`` types by amount."""
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            rows = con.execute(
                "select leakage_type, count(*), coalesce(sum(amount_at_risk), 0), count(*) - count(amount_at_risk) "
                "from marts.fct_revenue_leakage group by leakage_type order by 3 desc, 2 desc, 1"
            ).fetchall()
    except duckdb.Error as exc:
        return [f"leakage unavailable: marts.fct_revenue_leakage could not be read from {database} "
                f"({exc.__class__.__name__})"]
    if not rows:
        return ["revenue leakage: no case"]
    cases, unconverted = sum(r[1] for r in rows), sum(r[3] for r in rows)
    head = f"revenue leakage: {cases} cases, {_money(sum(r[2] for r in rows))} at risk" + (
        f" ({unconverted} without an FX rate, not in the sum)" if unconverted else "")
    largest = "; ".join(f"{kind} {n}: {_money(amount)}" for kind, n, amount, _ in rows[:top])
    return [head, f"largest: {largest}  (select * from marts.fct_revenue_leakage)"]
