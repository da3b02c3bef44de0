"""Revenue ledger against the generator's ground truth (the sample company, built once per session).

The truth (``ground_truth/mrr.csv``) is the MRR the generator billed, company by month. Total MRR per month must
match within 0.5 %. Raw invoice lines that staging quarantines (an unparseable period, an unknown currency, a
missing id) carry revenue the warehouse cannot see unless their invoice's header stands for them: in a month such
a line overlaps, the bound widens by that line's amount per month of its billing period (minor units / 100), and
by nothing else. On the sample every quarantined line's invoice counts by its header, and the ledger equals the
truth for every company and month.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from datetime import date

import pytest

from revops.mrr_truth import STRIPE_COMPANIES, ledger_off_truth_sql, score_mrr, true_companies_sql

TOLERANCE = 0.005  # the bound: total MRR per month within 0.5 % of the truth
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def _month(value: str) -> date | None:
    """The month of an ISO date, or None for anything else (a quarantined value may look like one: 2024-13-45)."""
    m = ISO_DATE.match(value or "")
    return date(int(m[1]), int(m[2]), 1) if m and 1 <= int(m[2]) <= 12 else None


def _add_months(d: date, n: int) -> date:
    k = d.year * 12 + d.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def truth_totals(truth_dir) -> dict[date, float]:
    totals: dict[date, float] = defaultdict(float)
    with open(truth_dir / "mrr.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            totals[date.fromisoformat(row["month"])] += float(row["mrr_usd"])
    return dict(totals)


def _amount(value: str) -> float:
    try:
        return abs(float(value)) / 100
    except ValueError:
        return 0.0


def quarantined_line_allowance(warehouse) -> dict[date, float]:
    """Per month, the (monthly) amounts of the invoice lines staging quarantined whose period overlaps it. A line
    whose invoice counts the lines that did not arrive by its header is not missing from the MRR: it adds nothing."""
    allowance: dict[date, float] = defaultdict(float)
    rows = warehouse.query(
        "select raw_record from quality.raw_quarantine "
        "where source_system = 'stripe' and source_table = 'invoice_line_item'"
    )
    by_header = {i for (i,) in warehouse.query(
        "select invoice_id from intermediate.int_invoice_headers__unstaged_amounts")}
    for (record,) in rows:
        fields = dict(part.split("=", 1) for part in record.split(" | ") if "=" in part)
        if fields.get("invoice_id") in by_header:
            continue
        start, end = _month(fields.get("period_start", "")), _month(fields.get("period_end", ""))
        first = start or (_add_months(end, -1) if end else None)
        last = end or (_add_months(start, 1) if start else None)
        if first is None:
            continue
        span = max(1, (last.year - first.year) * 12 + last.month - first.month)  # months of its billing period
        m = first
        while m <= last:  # about the line's MRR in every month its period touches
            allowance[m] += _amount(fields.get("amount", "")) / span
            m = _add_months(m, 1)
    return dict(allowance)


@pytest.fixture(scope="module")
def ledger_totals(sample_warehouse) -> dict[date, float]:
    rows = sample_warehouse.query("select month, sum(mrr) from marts.fct_mrr group by month order by month")
    return {m: float(v) for m, v in rows}


def test_total_mrr_matches_truth_within_half_a_percent(sample_warehouse, ledger_totals):
    truth = truth_totals(sample_warehouse.truth_dir)
    allowance = quarantined_line_allowance(sample_warehouse)
    assert set(truth) <= set(ledger_totals), f"months missing from fct_mrr: {sorted(set(truth) - set(ledger_totals))}"
    failures = []
    for month, expected in sorted(truth.items()):
        actual = ledger_totals[month]
        bound = TOLERANCE * expected + allowance.get(month, 0.0)
        if abs(actual - expected) > bound:
            failures.append(f"{month}: ledger {actual:,.2f} vs truth {expected:,.2f} ({(actual / expected - 1):+.3%}),"
                            f" quarantined lines {allowance.get(month, 0.0):,.2f}")
    assert not failures, "total MRR off the ground truth:\n" + "\n".join(failures)
    wide = {m: a for m, a in allowance.items() if m in truth and a > 0.05 * truth[m]}
    assert not wide, f"quarantined lines widen the bound by more than 5 % of MRR in {sorted(wide)}: fix staging"


def ledger_off_truth(warehouse, companies_sql: str) -> list[tuple]:
    """(company, month, ledger, truth) where fct_mrr's mrr_local of the companies ``companies_sql`` selects (a query
    of company_id) differs from the generator's true MRR (local currency) by more than a cent."""
    return warehouse.query(ledger_off_truth_sql(warehouse.truth_dir, companies_sql))


def test_a_line_whose_currency_came_from_its_invoice_bills_its_company_as_the_truth(sample_warehouse):
    """A line with a bad currency (the sample plants XXX on il_43VnDAbLMvY, on a paid USD invoice of CO-0000052)
    counts at its invoice's currency: its companies' MRR equals the truth in every month (before, CO-0000052
    showed a false churn in Nov 2024 (0 vs 75) and a reactivation in Dec 2024)."""
    rows = ledger_off_truth(sample_warehouse, """
        select distinct x.company_id
        from staging.stg_stripe__invoice_line_item as l
        left join staging.stg_stripe__invoice as i on i.invoice_id = l.invoice_id
        left join staging.stg_stripe__subscription as s on s.subscription_id = l.subscription_id
        inner join intermediate.int_billing_customers__companies as x
            on x.source_system = 'stripe' and x.source_table = 'customer'
            and x.source_id = coalesce(i.customer_id, s.customer_id)
        where l.is_currency_from_invoice""")
    assert rows == []
    nov = sample_warehouse.query(
        "select f.movement, f.mrr_local from marts.fct_mrr as f "
        "inner join intermediate.int_billing_customers__companies as x using (company_id) "
        "where x.source_id = 'cus_3BnGW4FlmT5' and f.month = date '2024-11-01'"
    )
    assert [(movement, float(mrr)) for movement, mrr in nov] == [("contraction", 75.0)]


def test_an_invoice_whose_lines_were_quarantined_bills_its_company_as_the_truth(sample_warehouse):
    """A subscription invoice some or all of whose lines a bad value quarantined counts the lines that did not arrive
    by its header (the sample has both: a line with no id, a line with an unparseable period, a discount of 'N/A',
    alone on their invoice or beside lines that arrived). The companies billed by such an invoice have their true
    MRR in every month: before, the ledger read a false churn and a reactivation around an invoice that lost every
    line, and fell short by the lost lines on the others."""
    headers = sample_warehouse.query(
        """
        select h.unstaged_reason, count(distinct s.component_id)
        from intermediate.int_invoice_lines__spread_monthly as s
        inner join intermediate.int_invoice_headers__unstaged_amounts as h on h.invoice_id = s.component_id
        inner join quality.raw_quarantine as q
            on q.source_system = 'stripe' and q.source_table = 'invoice_line_item'
            and q.raw_record like '%invoice_id=' || s.component_id || ' |%'
        where s.component_type = 'invoice_header'
        group by h.unstaged_reason
        order by h.unstaged_reason
        """
    )
    assert [reason for reason, _ in headers] == ["no_staged_line", "quarantined_lines"], headers
    rows = ledger_off_truth(sample_warehouse, """
        select distinct x.company_id
        from intermediate.int_invoice_lines__spread_monthly as s
        inner join intermediate.int_billing_customers__companies as x
            on x.source_system = 'stripe' and x.source_table = 'customer' and x.source_id = s.customer_id
        where s.component_type = 'invoice_header'""")
    assert rows == [], f"ledger vs truth of the companies billed by a header: {rows}"


def test_the_ledger_equals_the_truth_for_every_company_and_month(sample_warehouse):
    """Every Stripe-billed company's MRR (local currency) equals the generator's truth in every month, to the cent:
    no staging defect, quarantined line or versioning rule leaves a company-month short or over."""
    rows = ledger_off_truth(sample_warehouse, STRIPE_COMPANIES)
    assert rows == [], f"{len(rows)} company-months off the truth: {rows[:10]}"


def test_the_benchmark_scores_the_ledger_against_the_truth(sample_warehouse, tmp_path):
    """score_mrr, which the benchmark reports at every scale: on the sample no company-month is off, out of every
    Stripe-billed company-month of the ledger; a true MRR changed by hand in one month of one company is one
    company-month off, of one company the truth maps; a Stripe customer taken out of the truth's company map
    leaves its company's every ledger month off, counted as unmapped."""
    ledger_months = sample_warehouse.query(
        f"select count(*) from marts.fct_mrr where mrr_local > 0 and company_id in ({STRIPE_COMPANIES})")[0][0]
    assert ledger_months > 100
    assert score_mrr(sample_warehouse.database, sample_warehouse.truth_dir) == {
        "mrr_company_months": ledger_months, "mrr_company_months_off_truth": 0, "mrr_companies_off_truth": 0,
        "mrr_companies_off_truth_unmapped": 0}
    truth = tmp_path / "truth"
    truth.mkdir()
    (truth / "companies.csv").write_bytes((sample_warehouse.truth_dir / "companies.csv").read_bytes())
    with open(sample_warehouse.truth_dir / "mrr.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    changed = next(r for r in rows if float(r["mrr_local"]) > 0)
    changed["mrr_local"] = str(float(changed["mrr_local"]) + 1)
    with open(truth / "mrr.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert score_mrr(sample_warehouse.database, truth) == {
        "mrr_company_months": ledger_months, "mrr_company_months_off_truth": 1, "mrr_companies_off_truth": 1,
        "mrr_companies_off_truth_unmapped": 0}

    # a company billed through one Stripe customer, that customer dropped from the truth's map
    company, customer, months = sample_warehouse.query(f"""
        select x.company_id, min(x.source_id), count(distinct m.month)
        from intermediate.int_billing_customers__companies as x
        inner join marts.fct_mrr as m on m.company_id = x.company_id and m.mrr_local > 0
        where x.source_system = 'stripe' and x.source_table = 'customer'
            and x.company_id <> (select company_id from ({true_companies_sql(truth)}) where true_company_id = ?)
        group by x.company_id
        having count(distinct x.source_id) = 1
        order by x.company_id
        limit 1""", [changed["true_company_id"]])[0]
    with open(sample_warehouse.truth_dir / "companies.csv", newline="") as fh:
        mapped = list(csv.DictReader(fh))
    kept = [r for r in mapped if not (r["source_system"] == "stripe" and r["source_table"] == "customer"
                                      and r["source_id"] == customer)]
    assert len(kept) == len(mapped) - 1, company
    with open(truth / "companies.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(mapped[0]))
        writer.writeheader()
        writer.writerows(kept)
    assert score_mrr(sample_warehouse.database, truth) == {
        "mrr_company_months": ledger_months, "mrr_company_months_off_truth": 1 + months, "mrr_companies_off_truth": 2,
        "mrr_companies_off_truth_unmapped": 1}


def test_trailing_twelve_month_retention_matches_the_truth(sample_warehouse):
    """kpi_monthly's nrr_trailing_12m and grr_trailing_12m against the same cohort taken from the generator's true
    MRR (company by month, local currency): the companies paying twelve months before, what they pay now, both at
    the warehouse's FX rates of the month. Equal to the rounding every month (an invoice that lost lines to the
    quarantine counts them by its header, so no month is excused); NULL exactly where no company paid twelve
    months before."""
    rates = {(m, c): float(r) for m, c, r in sample_warehouse.query(
        "select month_start, currency, rate_to_reporting from intermediate.int_fx_rates__monthly")}
    truth: dict[tuple[str, date], tuple[str, float]] = {}
    with open(sample_warehouse.truth_dir / "mrr.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            key = (row["true_company_id"], date.fromisoformat(row["month"]))
            truth[key] = (row["currency"], float(row["mrr_local"]))

    def in_reporting(month: date, currency: str, local: float) -> float:
        return local * (1.0 if currency == "USD" else rates[(month, currency)])

    compared = 0
    for month, nrr, grr, reason in sample_warehouse.query(
            "select month, nrr_trailing_12m, grr_trailing_12m, trailing_12m_null_reason from marts.kpi_monthly"):
        then = _add_months(month, -12)
        base = now = kept = 0.0
        for (company, m), (currency, local) in truth.items():
            if m != then or local <= 0:
                continue
            was = in_reporting(month, currency, local)
            current = truth.get((company, month))
            is_now = in_reporting(month, *current) if current else 0.0
            base, now, kept = base + was, now + is_now, kept + min(was, is_now)
        if base == 0:
            assert nrr is None and grr is None and reason == "no paying customers twelve months before", month
            continue
        assert reason is None, month
        assert abs(float(nrr) - now / base) < 1e-5, (month, float(nrr), now / base)
        assert abs(float(grr) - kept / base) < 1e-5, (month, float(grr), kept / base)
        compared += 1
    assert compared >= 12, compared


def test_ledger_ends_at_last_complete_month(sample_warehouse, ledger_totals):
    truth = truth_totals(sample_warehouse.truth_dir)
    assert max(ledger_totals) == max(truth), "fct_mrr should end at the generator's last (complete) month"


def test_bridge_balances_every_month(sample_warehouse):
    rows = sample_warehouse.query(
        """
        with totals as (
            select month, sum(mrr) as total_mrr, sum(movement_amount + fx_amount) as moved
            from marts.fct_mrr group by month
        )
        select cur.month, cur.total_mrr - coalesce(prev.total_mrr, 0) - cur.moved
        from totals as cur left join totals as prev on prev.month = cur.month - interval 1 month
        where cur.total_mrr - coalesce(prev.total_mrr, 0) <> cur.moved
        """
    )
    assert rows == []


def test_an_unchanged_foreign_currency_contract_is_not_expansion_or_contraction(sample_warehouse):
    """Movements are in constant currency: a company paying the same in EUR two months running is `unchanged`
    with all of its reporting-currency change in fx_amount (the sample's EUR, GBP... customers have such months)."""
    rows = sample_warehouse.query(
        """
        with ledger as (
            select company_id, month, currency, movement, mrr, mrr_local, movement_amount, fx_amount,
                   lag(mrr) over (partition by company_id order by month) as previous_mrr,
                   lag(mrr_local) over (partition by company_id order by month) as previous_mrr_local
            from marts.fct_mrr
        )
        select
            count(*) filter (where movement <> 'unchanged' or movement_amount <> 0),
            count(*) filter (where fx_amount <> 0),
            count(*) filter (where fx_amount <> 0 and mrr - previous_mrr = fx_amount)
        from ledger
        where currency <> 'USD' and previous_mrr > 0 and mrr > 0 and mrr_local = previous_mrr_local
        """
    )
    not_unchanged, moved_by_fx, all_fx = rows[0]
    assert not_unchanged == 0
    assert moved_by_fx > 10 and all_fx == moved_by_fx


def test_every_churn_row_is_followed_by_nothing_or_a_reactivation(sample_warehouse):
    rows = sample_warehouse.query(
        """
        with ordered as (
            select company_id, month, movement, mrr,
                   lead(movement) over (partition by company_id order by month) as next_movement,
                   lead(mrr) over (partition by company_id order by month) as next_mrr
            from marts.fct_mrr
        )
        select * from ordered
        where movement = 'churn'
            and (mrr <> 0 or (next_movement is not null and next_movement not in ('unchanged', 'reactivation')))
        """
    )
    assert rows == []


def _tiny_kpi_warehouse(path, rows):
    import duckdb

    from revops.summary import COLUMNS

    types = {"month": "date", "active_customers": "integer"}
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        cols = ", ".join(f"{c} {types.get(c, 'varchar' if c.endswith('reason') else 'decimal(18, 6)')}"
                         for c in COLUMNS)
        con.execute(f"create table marts.kpi_monthly ({cols})")
        for row in rows:
            con.execute(f"insert into marts.kpi_monthly values ({', '.join('?' for _ in COLUMNS)})",
                        [row.get(c) for c in COLUMNS])


def test_kpi_summary_lines_latest_month_by_hand(tmp_path):
    from revops.summary import kpi_summary_lines

    db = tmp_path / "kpi.duckdb"
    base = {"mrr": 1000, "arr": 12000, "active_customers": 10}
    _tiny_kpi_warehouse(db, [
        {**base, "month": date(2024, 1, 1)},
        {"month": date(2024, 2, 1), "mrr": 2000, "arr": 24000, "active_customers": 16, "nrr": 0.9, "grr": 0.85,
         "logo_churn_rate": 1 / 15, "cac_paid_media": 200, "cac_fully_loaded": 1000, "cac_payback_months": 12.5,
         "win_rate_count": 0.75, "win_rate_value": 0.5, "new_mrr": 200, "expansion_mrr": 100,
         "contraction_mrr": -150, "churned_mrr": -150, "reactivation_mrr": 0, "nrr_trailing_12m": 1.1,
         "grr_trailing_12m": 0.9},
    ])
    lines = kpi_summary_lines(db)
    assert lines[0].startswith("KPIs of 2024-02")
    assert lines[1] == "MRR 2,000  ARR 24,000  paying customers 16"
    assert lines[3] == "NRR 90.0%  GRR 85.0%  logo churn 6.7%"
    assert lines[4].startswith("CAC payback 12.5 months  (CAC fully loaded 1,000, paid media 200)")
    assert lines[5] == "win rate 75.0% by count, 50.0% by value (new business)"
    assert lines[6] == "trailing 12 months: NRR 110.0%  GRR 90.0% (the customers of 12 months before)"


def test_kpi_summary_lines_shows_null_reasons(tmp_path):
    from revops.summary import kpi_summary_lines

    db = tmp_path / "kpi.duckdb"
    _tiny_kpi_warehouse(db, [{"month": date(2024, 1, 1), "mrr": 1000, "arr": 12000, "active_customers": 10,
                              "nrr_null_reason": "no MRR at the start of the month",
                              "logo_churn_rate_null_reason": "no customers at the start of the month",
                              "cac_payback_months_null_reason": "no new customers this month",
                              "win_rate_count": 0.5,
                              "win_rate_value_null_reason": "no new-business deal closed this month has an ACV",
                              "trailing_12m_null_reason": "no paying customers twelve months before"}])
    lines = kpi_summary_lines(db)
    assert "NRR n/a (no MRR at the start of the month)" in lines[3]
    assert "CAC payback n/a (no new customers this month)" in lines[4]
    assert lines[5] == ("win rate 50.0% by count, n/a (no new-business deal closed this month has an ACV) by value "
                        "(new business)")
    assert lines[6] == "trailing 12 months: NRR and GRR n/a (no paying customers twelve months before)"
    assert kpi_summary_lines(tmp_path / "missing.duckdb")[0].startswith("KPIs unavailable")


def test_leakage_summary_lines_by_hand(tmp_path):
    """Cases and amount at risk of fct_revenue_leakage: 5 cases; 100 + 50 + 300 + 10 = 460 at risk, the case no FX
    rate converts counted but not summed; the three largest types by amount."""
    import duckdb

    from revops.summary import leakage_summary_lines

    db = tmp_path / "leak.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_revenue_leakage (leakage_type varchar, amount_at_risk decimal(18, 2))")
    assert leakage_summary_lines(db) == ["revenue leakage: no case"]
    with duckdb.connect(str(db)) as con:
        con.execute("insert into marts.fct_revenue_leakage values ('invoice_unpaid_past_due', 100), "
                    "('invoice_unpaid_past_due', 50), ('closed_won_not_invoiced', 300), "
                    "('refunded_without_credit_note', 10), ('unchecked_no_fx_rate', null)")
    assert leakage_summary_lines(db) == [
        "revenue leakage: 5 cases, 460 at risk (1 without an FX rate, not in the sum)",
        "largest: closed_won_not_invoiced 1: 300; invoice_unpaid_past_due 2: 150; refunded_without_credit_note 1: 10"
        "  (select * from marts.fct_revenue_leakage)",
    ]
    assert leakage_summary_lines(tmp_path / "missing.duckdb")[0].startswith("leakage unavailable")


def test_invoice_lines_add_up_to_their_header_except_where_lines_were_quarantined(sample_warehouse):
    """The singular test assert_invoice_lines_add_up_to_their_header passes on the sample, and not because it cannot
    fail: without its exception for invoices that lost lines to quarantine, its query returns exactly those invoices
    (the sample has six; each lost line carries an amount), and every other invoice's lines match its header."""
    results = json.loads((sample_warehouse.target_dir / "run_results.json").read_text())["results"]
    status = [r["status"] for r in results
              if r["unique_id"].startswith("test.revops.assert_invoice_lines_add_up_to_their_header")]
    assert status == ["pass"]
    compiled = next(sample_warehouse.target_dir.glob("compiled/**/assert_invoice_lines_add_up_to_their_header.sql"))
    sql = compiled.read_text()
    exception = "invoices_with_quarantined_lines.invoice_id is null"
    assert exception in sql
    unexcused = {row[0] for row in sample_warehouse.query(sql.replace(exception, "true"))}
    lost_lines = {row[0] for row in sample_warehouse.query(
        "select distinct invoice_id from staging.base_stripe__invoice_line_item where _quarantine_code is not null "
        "and invoice_id in (select invoice_id from staging.stg_stripe__invoice)")}
    # every invoice that lost a line (each lost line carries an amount) and no other
    assert unexcused == lost_lines and len(lost_lines) >= 1, (unexcused, lost_lines)
