"""The Great Expectations suites, as code: what each raw table and each mart must satisfy.

A suite reads one SQL query (only the columns its expectations need, so memory stays small at scale) and
lists its expectations. Queries are written for both engines: ``dialect`` is ``duckdb`` or ``postgres``.
GX is imported inside the functions that build expectations (it takes seconds to import).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field

from revops.contract import LOADED_AT, RawTable, raw_tables
from revops.settings import PROJECT_DIR

# Thresholds (the raw files are expected to be a little messy: staging quarantines what cannot be used).
# Share of raw rows whose key must be present (the rest are quarantined as missing_primary_key).
RAW_KEY_PRESENT_MOSTLY = 0.99
# Share of raw rows whose key must be unique (exports re-send rows; staging keeps the latest version).
RAW_KEY_UNIQUE_MOSTLY = 0.97
# ... but a small table may always carry this many re-sent rows (3 % of 24 credit notes is less than one row).
RAW_KEY_DUPLICATE_ALLOWANCE = 5
# Share of currency codes that must be known ISO 4217 codes (unknown ones are quarantined).
RAW_CURRENCY_KNOWN_MOSTLY = 0.99
# Share of values of an enumerated column that must be in its accepted set (compared lower-cased: staging gives
# a value in another case the contract's spelling, macro raw_enum_values). A value outside it is staged as landed
# and named by the column's warn-level accepted_values test: one new status (HubSpot's PROCESSED) is no broken
# export, a column of them is.
RAW_ACCEPTED_MOSTLY = 0.99
# Share of numeric values that must lie in range (bad values are quarantined by staging as non-numeric).
RAW_RANGE_MOSTLY = 0.99
# ... but a small table may always carry this many rows without a key, of an unknown currency or out of range
# (staging quarantines each with its reason): 1 of 8 products is 12.5 %, and one bad row must not stop the run.
RAW_BAD_ROW_ALLOWANCE = 2
# Row-count change against the last accepted run: fail when a table shrinks below this share of its last
# count or grows beyond this multiple of it.
ROW_COUNT_MIN_SHARE = 0.5
ROW_COUNT_MAX_FACTOR = 3.0
# MRR bridge: |sum of movements - change of total MRR| per month must stay under this (reporting currency).
MRR_BRIDGE_TOLERANCE = 0.01

LINEAGE = ("_source_file", "_source_row", LOADED_AT)

# Enumerated raw columns: (system, table) -> column -> accepted values (compared lower-cased and trimmed).
RAW_ACCEPTED: dict[tuple[str, str], dict[str, list[str]]] = {
    ("salesforce", "opportunity"): {
        "type": ["new business", "upsell", "renewal"],
        "stage_name": ["prospecting", "qualification", "needs analysis", "value proposition",
                       "proposal/price quote", "negotiation/review", "closed won", "closed lost"],
    },
    ("stripe", "invoice"): {"status": ["draft", "open", "paid", "void", "uncollectible"]},
    ("stripe", "subscription"): {
        "status": ["trialing", "active", "past_due", "unpaid", "canceled", "incomplete", "incomplete_expired",
                   "paused"],
    },
    ("stripe", "charge"): {"status": ["succeeded", "failed", "pending"]},
    ("stripe", "price"): {"recurring_interval": ["day", "week", "month", "year"]},
    ("zendesk", "ticket"): {
        "status": ["new", "open", "pending", "hold", "solved", "closed"],
        "priority": ["low", "normal", "high", "urgent"],
    },
    ("zendesk", "satisfaction_rating"): {"score": ["good", "bad", "offered", "unoffered"]},
    ("hubspot", "email_event"): {
        "type": ["sent", "delivered", "bounce", "open", "click", "unsubscribed", "spamreport", "dropped"],
    },
}

# Numeric raw columns with a plausible range: (system, table) -> column -> (min, max); None = unbounded.
RAW_RANGES: dict[tuple[str, str], dict[str, tuple[float | None, float | None]]] = {
    ("salesforce", "opportunity"): {"amount": (0, 1e9), "probability": (0, 100)},
    ("salesforce", "opportunity_line_item"): {"quantity": (0, None), "unit_price": (0, None)},
    ("stripe", "invoice"): {"amount_paid": (0, None), "amount_due": (0, None)},
    ("stripe", "price"): {"unit_amount": (0, None)},
    ("stripe", "subscription_item"): {"quantity": (0, None)},
    ("stripe", "charge"): {"amount": (0, None), "amount_refunded": (0, None)},
    ("stripe", "credit_note"): {"amount": (0, None)},
    ("finance", "fx_rate"): {"rate_to_usd": (1e-9, None)},
    ("ads", "ad_spend_daily"): {"spend": (0, None), "impressions": (0, None), "clicks": (0, None)},
    ("zendesk", "nps_response"): {"score": (0, 10)},
    ("product", "usage_daily"): {"active_users": (0, None), "seats_purchased": (0, None)},
}

# Foreign keys that should almost always be filled (null rate).
RAW_MOSTLY_PRESENT: dict[tuple[str, str], list[str]] = {
    ("salesforce", "opportunity"): ["account_id", "close_date", "stage_name"],
    ("stripe", "invoice"): ["customer_id", "status", "currency"],
    ("stripe", "subscription"): ["customer_id", "status"],
    ("stripe", "invoice_line_item"): ["invoice_id"],
}

# KPI columns and their plausible range, checked on kpi_monthly when the column exists.
KPI_RANGES: dict[str, tuple[float | None, float | None]] = {
    "mrr": (0, None), "arr": (0, None), "new_mrr": (0, None), "expansion_mrr": (0, None),
    "contraction_mrr": (None, 0), "churned_mrr": (None, 0), "active_customers": (0, None),
    "customers": (0, None), "arpa": (0, None), "logo_churn_rate": (0, 1), "gross_revenue_churn_rate": (0, 1),
    "revenue_churn_rate": (0, 1), "gross_revenue_retention": (0, 1), "net_revenue_retention": (0, 3),
    "grr": (0, 1), "nrr": (0, None), "grr_trailing_12m": (0, 1), "nrr_trailing_12m": (0, None),
    "win_rate": (0, 1), "cac": (0, None), "ltv": (0, None), "quick_ratio": (0, None),
}

LEAKAGE_TYPES = ["closed_won_not_invoiced", "invoiced_below_contract", "unchecked_no_fx_rate",
                 "invoice_unpaid_past_due", "churned_in_billing_active_in_crm", "active_in_billing_churned_in_crm",
                 "renewal_without_opportunity", "refunded_without_credit_note"]


@dataclass
class Suite:
    """One GX suite: the query that feeds it and a builder of its expectations."""

    name: str  # e.g. raw.stripe.invoice
    table: str  # the relation it guards, e.g. raw_stripe.invoice
    query: str  # SQL reading only what the expectations need
    build: Callable[[], list]  # -> list of gx expectations (GX imported lazily)
    required: bool = True  # a missing relation fails the gate (else the suite is skipped)
    columns: list[str] = field(default_factory=list)  # columns read (documentation and tests)
    description: str = ""  # what it holds, for people (the Dagster asset check of a mart suite shows it)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def numeric_sql(expr: str, dialect: str) -> str:
    """Text -> number or NULL, on either engine."""
    if dialect == "postgres":
        return (f"case when trim({expr}) ~ '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$' "
                f"then cast(trim({expr}) as double precision) end")
    return f"try_cast(trim({expr}) as double)"


def known_currencies() -> list[str]:
    with (PROJECT_DIR / "seeds" / "currencies.csv").open(encoding="utf-8") as handle:
        return sorted(row["currency_code"].lower() for row in csv.DictReader(handle))


def key_unique_mostly(row_count: int | None) -> float:
    """The uniqueness share for a table of ``row_count`` rows: RAW_KEY_UNIQUE_MOSTLY, relaxed on small tables
    so that RAW_KEY_DUPLICATE_ALLOWANCE re-sent rows never fail the gate."""
    return allowing_rows(RAW_KEY_UNIQUE_MOSTLY, row_count, RAW_KEY_DUPLICATE_ALLOWANCE)


def allowing_rows(mostly: float, row_count: int | None, rows: int = RAW_BAD_ROW_ALLOWANCE) -> float:
    """``mostly`` for a table of ``row_count`` rows, relaxed on small tables so that ``rows`` rows outside the
    expectation never fail the gate (the share of a large table stays as it is)."""
    if not row_count:
        return mostly
    return min(mostly, max(0.0, 1.0 - rows / row_count))


def raw_suite(table: RawTable, dialect: str, last_row_count: int | None, row_count: int | None = None) -> Suite:
    """Schema, key uniqueness, null rates, accepted values, ranges and row-count change of one raw table."""
    key = (table.system, table.table)
    pk = list(table.primary_key)
    currencies = [c for c, kind in table.columns.items() if kind == "currency"]
    accepted = RAW_ACCEPTED.get(key, {})
    ranges = RAW_RANGES.get(key, {})
    present = RAW_MOSTLY_PRESENT.get(key, [])
    select: dict[str, str] = {}
    for column in pk + present:
        select[column] = f"nullif(trim({_q(column)}), '')"
    for column in currencies + list(accepted):
        select[column] = f"lower(nullif(trim({_q(column)}), ''))"
    for column in ranges:
        select[f"{column}__number"] = numeric_sql(_q(column), dialect)
    columns = ", ".join(f"{expr} as {_q(alias)}" for alias, expr in select.items())
    query = f"select {columns} from {table.schema}.{_q(table.table)}"

    def build() -> list:
        import great_expectations.expectations as gxe

        out: list = []
        key_present = allowing_rows(RAW_KEY_PRESENT_MOSTLY, row_count)
        for column in pk:
            out.append(gxe.ExpectColumnValuesToNotBeNull(column=column, mostly=key_present))
        if len(pk) == 1:
            out.append(gxe.ExpectColumnValuesToBeUnique(column=pk[0], mostly=key_unique_mostly(row_count)))
        else:
            out.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=pk, mostly=key_unique_mostly(row_count)))
        for column in present:
            if column not in pk:
                out.append(gxe.ExpectColumnValuesToNotBeNull(column=column, mostly=key_present))
        for column in currencies:
            out.append(gxe.ExpectColumnValuesToBeInSet(column=column, value_set=known_currencies(),
                                                       mostly=allowing_rows(RAW_CURRENCY_KNOWN_MOSTLY, row_count)))
        for column, values in accepted.items():
            out.append(gxe.ExpectColumnValuesToBeInSet(column=column, value_set=values,
                                                       mostly=allowing_rows(RAW_ACCEPTED_MOSTLY, row_count)))
        for column, (low, high) in ranges.items():
            out.append(gxe.ExpectColumnValuesToBeBetween(column=f"{column}__number", min_value=low, max_value=high,
                                                         mostly=allowing_rows(RAW_RANGE_MOSTLY, row_count)))
        if last_row_count:
            out.append(gxe.ExpectTableRowCountToBeBetween(
                min_value=int(last_row_count * ROW_COUNT_MIN_SHARE),
                max_value=int(last_row_count * ROW_COUNT_MAX_FACTOR) + 1,
                notes=f"row-count change against the last accepted run ({last_row_count:,} rows)"))
        return out

    return Suite(f"raw.{table.qualified_name}", f"{table.schema}.{table.table}", query, build,
                 columns=list(select))


def raw_schema_suite(tables: list[RawTable]) -> Suite:
    """Every contract column present in every raw table (one row per landed column, read from the catalog)."""
    schemas = sorted({t.schema for t in tables})
    query = ("select table_schema || '.' || table_name as relation, lower(column_name) as column_name "
             "from information_schema.columns where table_schema in ("
             + ", ".join(f"'{s}'" for s in schemas) + ")")

    def build() -> list:
        import great_expectations.expectations as gxe
        from great_expectations.expectations.row_conditions import Column

        return [
            gxe.ExpectColumnDistinctValuesToContainSet(
                column="column_name", value_set=[*t.columns, *LINEAGE],
                row_condition=Column("relation") == f"{t.schema}.{t.table}",
                notes=f"schema of {t.schema}.{t.table}", meta={"table": f"{t.schema}.{t.table}"})
            for t in tables
        ]

    return Suite("raw.schema", "information_schema.columns", query, build, columns=["relation", "column_name"])


def raw_suites(dialect: str, last_counts: dict[str, int], tables: list[RawTable] | None = None,
               row_counts: dict[str, int] | None = None) -> list[Suite]:
    tables = tables or raw_tables()
    row_counts = row_counts or {}
    # `dialect` is kept for callers; every suite runs on both engines (the catalog query is standard SQL)
    suites = [raw_schema_suite(tables)]
    suites += [raw_suite(t, dialect, last_counts.get(f"{t.schema}.{t.table}"),
                         row_counts.get(f"{t.schema}.{t.table}")) for t in tables]
    return suites


def mart_suites(dialect: str, existing_columns: dict[str, list[str]]) -> list[Suite]:
    """Suites on the marts; ``existing_columns`` maps schema.table -> columns (optional marts may be absent)."""
    suites: list[Suite] = []

    def mrr_build() -> list:
        import great_expectations.expectations as gxe

        return [
            gxe.ExpectColumnValuesToNotBeNull(column="company_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="month"),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["company_id", "month"]),
            gxe.ExpectColumnValuesToBeBetween(column="mrr", min_value=0, notes="no negative MRR"),
            gxe.ExpectColumnValuesToBeBetween(column="mrr_local", min_value=0, notes="no negative MRR"),
            gxe.ExpectColumnValuesToBeInSet(column="movement", value_set=[
                "new", "expansion", "contraction", "churn", "reactivation", "unchanged", "unconverted"]),
        ]

    suites.append(Suite("marts.fct_mrr", "marts.fct_mrr",
                        "select company_id, month, cast(mrr as double precision) as mrr, "
                        "cast(mrr_local as double precision) as mrr_local, movement from marts.fct_mrr",
                        mrr_build, columns=["company_id", "month", "mrr", "mrr_local", "movement"],
                        description="One row per company and month, no negative MRR (reporting or local "
                                    "currency), known movements."))

    # GX's SQL query assets must start with SELECT (no WITH): the steps are derived tables. A month that has, or
    # follows one that has, an `unconverted` row (mrr NULL) cannot balance on totals: its gap is NULL (not checked),
    # as in dbt's mrr_bridge_balances test.
    bridge_query = """
        select
            month,
            cast(case when unconverted_rows = 0 then total_movement - total_change end as double precision)
                as bridge_gap
        from (
            select
                month,
                total_movement,
                total_mrr - coalesce(lag(total_mrr) over (order by month), 0) as total_change,
                unconverted_rows + coalesce(lag(unconverted_rows) over (order by month), 0) as unconverted_rows
            from (
                select
                    month, sum(mrr) as total_mrr, sum(movement_amount + fx_amount) as total_movement,
                    count(*) - count(mrr) as unconverted_rows
                from marts.fct_mrr
                group by month
            ) as monthly
        ) as bridged
    """

    def bridge_build() -> list:
        import great_expectations.expectations as gxe

        return [gxe.ExpectColumnValuesToBeBetween(
            column="bridge_gap", min_value=-MRR_BRIDGE_TOLERANCE, max_value=MRR_BRIDGE_TOLERANCE,
            notes="MRR bridge: each month's movements and FX add up to the change of total MRR")]

    suites.append(Suite("marts.fct_mrr.bridge", "marts.fct_mrr", bridge_query, bridge_build,
                        columns=["month", "bridge_gap"],
                        description="MRR bridge: each month's movements and FX add up to the change of total MRR "
                                    f"(within {MRR_BRIDGE_TOLERANCE})."))

    kpi_columns = [c for c in existing_columns.get("marts.kpi_monthly", []) if c in KPI_RANGES]
    if "marts.kpi_monthly" in existing_columns:
        def kpi_build() -> list:
            import great_expectations.expectations as gxe

            out: list = [gxe.ExpectTableRowCountToBeBetween(min_value=1)]
            for column in kpi_columns:
                low, high = KPI_RANGES[column]
                out.append(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high))
            return out

        select = ", ".join(f"cast({c} as double precision) as {c}" for c in kpi_columns) or "1 as one"
        suites.append(Suite("marts.kpi_monthly", "marts.kpi_monthly", f"select {select} from marts.kpi_monthly",
                            kpi_build, required=False, columns=kpi_columns,
                            description="At least one month, every KPI within its plausible range (KPI_RANGES)."))

    if "marts.xref_companies" in existing_columns:
        xref_query = """
            select
                source_records.source_system || '.' || source_records.source_table as source_relation,
                case when xref.company_id is null then 'missing' else 'mapped' end as crosswalk_status
            from (
                select 'salesforce' as source_system, 'account' as source_table, account_id as source_id
                from staging.stg_salesforce__account
                union all
                select 'stripe', 'customer', customer_id from staging.stg_stripe__customer
            ) as source_records
            left join marts.xref_companies as xref
                on source_records.source_system = xref.source_system
                and source_records.source_table = xref.source_table
                and source_records.source_id = xref.source_id
        """

        def xref_build() -> list:
            import great_expectations.expectations as gxe

            return [gxe.ExpectColumnValuesToBeInSet(
                column="crosswalk_status", value_set=["mapped"],
                notes="referential completeness: every Salesforce account and Stripe customer has a company")]

        suites.append(Suite("marts.xref_companies.completeness", "marts.xref_companies", xref_query, xref_build,
                            required=False, columns=["source_relation", "crosswalk_status"],
                            description="Referential completeness: every Salesforce account and Stripe customer "
                                        "has a company."))

    if "marts.fct_revenue_leakage" in existing_columns:
        def leak_build() -> list:
            import great_expectations.expectations as gxe

            return [
                gxe.ExpectColumnValuesToNotBeNull(column="leakage_id"),
                gxe.ExpectColumnValuesToBeUnique(column="leakage_id"),
                gxe.ExpectColumnValuesToBeInSet(column="leakage_type", value_set=LEAKAGE_TYPES),
                gxe.ExpectColumnValuesToBeBetween(column="amount_at_risk", min_value=0),
            ]

        suites.append(Suite("marts.fct_revenue_leakage", "marts.fct_revenue_leakage",
                            "select leakage_id, leakage_type, cast(amount_at_risk as double precision) "
                            "as amount_at_risk from marts.fct_revenue_leakage",
                            leak_build, required=False, columns=["leakage_id", "leakage_type", "amount_at_risk"],
                            description="Unique leakage ids, known leakage types, no negative amount at risk."))
    return suites


class _EveryRelation(dict):
    """A catalog in which every relation exists (with no column known): makes ``mart_suites`` list every suite."""

    def __contains__(self, key: object) -> bool:
        return True


def every_mart_suite() -> list[Suite]:
    """Every mart suite, the optional marts' included, known without a warehouse: the Dagster layer attaches one
    asset check per suite to the asset of the mart it validates (``Suite.table``)."""
    return mart_suites("duckdb", _EveryRelation())


def mart_suite_relations() -> dict[str, str]:
    """Every mart suite's name -> the mart it validates (``schema.table``)."""
    return {suite.name: suite.table for suite in every_mart_suite()}
