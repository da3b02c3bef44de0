"""The MRR ledger against the generator's ground truth: the company-months whose ledger MRR (local currency) is
more than a cent off the true MRR.

A warehouse company is matched to the true companies of its Stripe customers (the truth's `companies.csv`). Two
kinds of company-month can be off:
  - a true company's month where the ledger is short or over (a staging, versioning or spreading defect, or a value
    that only a quarantined row carried: an invoice header that lost its id or its amount, a credit note that lost
    its id or its date);
  - a month of a company the truth does not map (its Stripe customer's raw row lost its id, so staging quarantined
    it and the warehouse bills that customer's invoices to a company of its own): ledger only.
The test suite asserts none on the default sample (tests/python/test_revenue.py); the benchmark reports the count
at every scale (`mrr_company_months_off_truth`), measured right after the full build, before it appends rows the
truth does not know.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

STRIPE_COMPANIES = """
    select distinct company_id from intermediate.int_billing_customers__companies
    where source_system = 'stripe' and source_table = 'customer'"""


def true_companies_sql(truth_dir: Path) -> str:
    """A DuckDB query of (true_company_id, company_id): the warehouse company of each Stripe customer the truth maps."""
    return f"""
            select distinct tc.true_company_id, x.company_id
            from read_csv('{Path(truth_dir) / "companies.csv"}', all_varchar = true) as tc
            inner join intermediate.int_billing_customers__companies as x
                on x.source_system = 'stripe' and x.source_table = 'customer' and x.source_id = tc.source_id
            where tc.source_system = 'stripe' and tc.source_table = 'customer'"""


def ledger_off_truth_sql(truth_dir: Path, companies_sql: str = STRIPE_COMPANIES) -> str:
    """A DuckDB query of (company_id, month, ledger, truth), ordered, for the companies ``companies_sql`` selects (a
    query of company_id): every company-month where fct_mrr's mrr_local differs from the true MRR by more than a
    cent (either side NULL when that side has no MRR)."""
    truth_dir = Path(truth_dir)
    return f"""
        with chosen as ({companies_sql}),
        true_companies as ({true_companies_sql(truth_dir)}
        ),
        truth as (
            select true_companies.company_id, cast(t.month as date) as month, sum(cast(t.mrr_local as double)) as v
            from read_csv('{truth_dir / "mrr.csv"}', all_varchar = true) as t
            inner join true_companies using (true_company_id)
            where true_companies.company_id in (select company_id from chosen)
            group by all
        ),
        ledger as (
            select company_id, cast(month as date) as month, cast(mrr_local as double) as v
            from marts.fct_mrr where company_id in (select company_id from chosen) and mrr_local > 0
        )
        select company_id, month, ledger.v as ledger, truth.v as truth
        from ledger full join truth using (company_id, month)
        where abs(coalesce(ledger.v, 0) - coalesce(truth.v, 0)) > 0.01
        order by company_id, month
        """


def score_mrr(database: Path, truth_dir: Path) -> dict[str, int]:
    """Counts for the benchmark: Stripe-billed company-months in the ledger, those off the truth, the companies
    they belong to, and how many of those the truth does not map (a quarantined customer's company)."""
    with duckdb.connect(str(database), read_only=True) as con:
        months = con.execute(f"select count(*) from marts.fct_mrr where mrr_local > 0 and company_id in "
                             f"({STRIPE_COMPANIES})").fetchone()[0]
        off = con.execute(ledger_off_truth_sql(truth_dir)).fetchall()
        mapped = {row[1] for row in con.execute(true_companies_sql(truth_dir)).fetchall()}
    companies = {row[0] for row in off}
    return {"mrr_company_months": months, "mrr_company_months_off_truth": len(off),
            "mrr_companies_off_truth": len(companies),
            "mrr_companies_off_truth_unmapped": len(companies - mapped)}
