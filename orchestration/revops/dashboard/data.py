"""What the dashboard shows, read from the published copy only (revops.publish), never from the build's warehouse.

Every function takes an open read-only DuckDB connection and returns plain data (dicts, DataFrames). A panel
whose mart is not in the published copy gets ``None`` and the page says "not built yet" instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

SCHEMA = "marts"

# Stages of dim_contacts.lifecycle_stage from first touch to customer (HubSpot order; evangelists are customers).
FUNNEL_STAGES = ["lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer"]
FUNNEL_LABELS = {"lead": "Lead", "marketingqualifiedlead": "MQL", "salesqualifiedlead": "SQL",
                 "opportunity": "Opportunity", "customer": "Customer"}
STAGE_RANK = {"subscriber": 0, "lead": 1, "marketingqualifiedlead": 2, "mql": 2, "salesqualifiedlead": 3, "sql": 3,
              "opportunity": 4, "customer": 5, "evangelist": 6}

# Headline cards: (key, label, kpi_monthly column, kind). kind decides the format (money, count, pct, ratio, days).
HEADLINE = [
    ("mrr", "MRR", "mrr", "money"),
    ("arr", "ARR", "arr", "money"),
    ("active_customers", "Paying customers", "active_customers", "count"),
    ("new_customers", "New customers", "new_customers", "count"),
    ("nrr", "Net revenue retention", "nrr", "pct"),
    ("grr", "Gross revenue retention", "grr", "pct"),
    ("nrr_trailing_12m", "NRR, trailing 12 months", "nrr_trailing_12m", "pct"),
    ("grr_trailing_12m", "GRR, trailing 12 months", "grr_trailing_12m", "pct"),
    ("logo_churn_rate", "Logo churn", "logo_churn_rate", "pct"),
    ("arpa", "ARPA", "arpa", "money"),
    ("cac_fully_loaded", "CAC (fully loaded)", "cac_fully_loaded", "money"),
    ("ltv_to_cac", "LTV : CAC", "ltv_to_cac", "ratio"),
    ("win_rate_count", "Win rate", "win_rate_count", "pct"),
    ("pipeline_velocity", "Pipeline velocity / day", "pipeline_velocity", "money"),
]


BRIDGE_COLUMNS = ("opening_mrr", "new_mrr", "expansion_mrr", "reactivation_mrr", "contraction_mrr", "churned_mrr",
                  "mrr")
PIPELINE_COLUMNS = ("open_deals", "win_rate_count", "average_deal_size", "sales_cycle_days", "pipeline_velocity")


@dataclass
class Headline:
    key: str
    label: str
    kind: str
    value: float | None
    previous: float | None
    month: pd.Timestamp

    @property
    def change(self) -> float | None:
        """Month-over-month change: relative for money and counts, in points for rates and ratios."""
        if self.value is None or self.previous is None:
            return None
        if self.kind in ("pct", "ratio"):
            return self.value - self.previous
        if self.previous == 0:
            return None
        return (self.value - self.previous) / abs(self.previous)


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = ?", [SCHEMA]).fetchall()}


def columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [SCHEMA, table]).fetchall()}


def has(con: duckdb.DuckDBPyConnection, table: str, needed: list[str] | tuple[str, ...] = ()) -> bool:
    """The published copy holds ``table`` with every column in ``needed``."""
    return table in tables(con) and set(needed) <= columns(con, table)


def publish_info(con: duckdb.DuckDBPyConnection) -> dict | None:
    try:
        row = con.execute("select build_id, published_at, pii_allowed from _publish.manifest").fetchone()
    except duckdb.Error:
        return None
    return {"build_id": row[0], "published_at": row[1], "pii_allowed": row[2]} if row else None


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def headline(con: duckdb.DuckDBPyConnection) -> list[Headline] | None:
    """The headline KPIs of the last month of kpi_monthly, with the month before."""
    if "kpi_monthly" not in tables(con):
        return None
    available = columns(con, "kpi_monthly")
    df = con.execute(f"select * from {SCHEMA}.kpi_monthly order by month desc limit 2").df()
    if df.empty:
        return None
    last, prev = df.iloc[0], (df.iloc[1] if len(df) > 1 else None)
    out = []
    for key, label, column, kind in HEADLINE:
        if column not in available:
            continue
        out.append(Headline(key, label, kind, _num(last[column]), None if prev is None else _num(prev[column]),
                            pd.Timestamp(last["month"])))
    return out


def mrr_bridge(con: duckdb.DuckDBPyConnection) -> dict | None:
    """Opening MRR, the movements, the FX effect (0 on a copy built before fx_mrr existed) and closing MRR of the
    last month of kpi_monthly."""
    if not has(con, "kpi_monthly", BRIDGE_COLUMNS):
        return None
    fx = "fx_mrr" if has(con, "kpi_monthly", ("fx_mrr",)) else "0 as fx_mrr"
    row = con.execute(
        f"select month, opening_mrr, new_mrr, expansion_mrr, reactivation_mrr, contraction_mrr, churned_mrr, {fx}, "
        f"mrr from {SCHEMA}.kpi_monthly order by month desc limit 1").df()
    return None if row.empty else {k: (v if k == "month" else float(v or 0)) for k, v in row.iloc[0].items()}


def arr_trend(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame | None] | None:
    """(actual ARR by month, ARR forecast of the latest run with 80/95 % intervals or None)."""
    if not has(con, "kpi_monthly", ("arr",)):
        return None
    actual = con.execute(f"select month, arr from {SCHEMA}.kpi_monthly order by month").df()
    forecast = None
    if has(con, "fct_mrr_forecast", ("series", "is_selected", "run_date", "forecast", "lo_80", "hi_80", "lo_95",
                                     "hi_95", "model")):
        forecast = con.execute(
            f"""select month, forecast * 12 as arr, lo_80 * 12 as lo_80, hi_80 * 12 as hi_80,
                       lo_95 * 12 as lo_95, hi_95 * 12 as hi_95, model
                from {SCHEMA}.fct_mrr_forecast
                where series = 'total' and is_selected
                  and run_date = (select max(run_date) from {SCHEMA}.fct_mrr_forecast)
                order by month""").df()
    return actual, forecast


def cohort_retention(con: duckdb.DuckDBPyConnection, cohorts: int = 18, months: int = 18) -> pd.DataFrame | None:
    """Net MRR retention by first-paying-month cohort: MRR in month k / MRR in the cohort's first month."""
    if not has(con, "fct_mrr", ("company_id", "month", "mrr")):
        return None
    return con.execute(
        f"""with paying as (
                select company_id, month, mrr from {SCHEMA}.fct_mrr where mrr > 0
            ),
            starts as (
                select company_id, min(month) as cohort_month from paying group by company_id
            ),
            base as (
                select s.cohort_month, sum(p.mrr) as start_mrr
                from starts as s inner join paying as p on p.company_id = s.company_id and p.month = s.cohort_month
                group by s.cohort_month
            ),
            ages as (
                select s.cohort_month, date_diff('month', s.cohort_month, p.month) as months_since,
                       sum(p.mrr) as mrr
                from starts as s inner join paying as p on p.company_id = s.company_id
                group by 1, 2
            ),
            recent as (
                select cohort_month from base order by cohort_month desc limit {int(cohorts)}
            )
            select a.cohort_month, a.months_since, a.mrr / b.start_mrr as retention
            from ages as a
            inner join base as b on b.cohort_month = a.cohort_month
            where a.cohort_month in (select cohort_month from recent) and a.months_since < {int(months)}
            order by 1, 2""").df()


def funnel(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """People who reached each stage lead -> MQL -> SQL -> opportunity -> customer (dim_contacts lifecycle stage,
    the furthest stage reached), with the conversion rate from the stage before and from lead."""
    if "dim_contacts" not in tables(con) or "lifecycle_stage" not in columns(con, "dim_contacts"):
        return None
    counts = con.execute(f"select lower(lifecycle_stage) as stage, count(*) as n from {SCHEMA}.dim_contacts "
                         f"where lifecycle_stage is not null group by 1").df()
    reached = []
    for stage in FUNNEL_STAGES:
        rank = STAGE_RANK[stage]
        reached.append(int(counts.loc[counts["stage"].map(lambda s: STAGE_RANK.get(s, -1) >= rank), "n"].sum()))
    df = pd.DataFrame({"stage": [FUNNEL_LABELS[s] for s in FUNNEL_STAGES], "people": reached})
    df["conversion_from_previous"] = df["people"] / df["people"].shift(1)
    df["conversion_from_lead"] = df["people"] / df["people"].iloc[0] if reached[0] else None
    return df


def pipeline(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """Pipeline velocity and its factors by month (kpi_monthly)."""
    if not has(con, "kpi_monthly", PIPELINE_COLUMNS):
        return None
    return con.execute(
        f"select month, open_deals, win_rate_count, average_deal_size, sales_cycle_days, pipeline_velocity "
        f"from {SCHEMA}.kpi_monthly order by month").df()


def channel_economics(con: duckdb.DuckDBPyConnection, months: int = 12) -> pd.DataFrame | None:
    """Paid-media CAC by acquisition channel over the last ``months`` months, and LTV:CAC with the company LTV of
    the last month where LTV is defined (kpi_monthly.ltv; LTV is not computed by channel)."""
    if not has(con, "kpi_monthly_by_channel", ("channel", "paid_media_spend", "new_customers")):
        return None
    ltv = None
    if has(con, "kpi_monthly", ("ltv",)):
        row = con.execute(f"select ltv from {SCHEMA}.kpi_monthly where ltv is not null "
                          f"order by month desc limit 1").fetchone()
        ltv = _num(row[0]) if row else None
    df = con.execute(
        f"""select channel, sum(paid_media_spend) as paid_media_spend, sum(new_customers) as new_customers
            from {SCHEMA}.kpi_monthly_by_channel
            where month > (select max(month) from {SCHEMA}.kpi_monthly_by_channel) - interval {int(months)} month
            group by channel order by channel""").df()
    df["cac"] = df.apply(lambda r: r["paid_media_spend"] / r["new_customers"] if r["new_customers"] else None,
                         axis=1)
    df["ltv"] = ltv
    df["ltv_to_cac"] = df.apply(lambda r: ltv / r["cac"] if ltv is not None and r["cac"] else None, axis=1)
    return df


def mart_list(con: duckdb.DuckDBPyConnection, word: str, limit: int = 50) -> list[tuple[str, pd.DataFrame]] | None:
    """The published marts whose name contains ``word`` (leakage, playbook), first ``limit`` rows of each."""
    names = sorted(t for t in tables(con) if word in t)
    if not names:
        return None
    return [(name, con.execute(f'select * from {SCHEMA}."{name}" limit {int(limit)}').df()) for name in names]
