-- The date spine of fct_mrr adds only zero rows: per month, total MRR in the ledger equals the total of the
-- company-month MRR it was built from (months up to the as-of month), to the cent. Returns unbalanced months.
-- It reads several models: dagster-dbt attaches it as an asset check to the one it checks (meta dagster.ref).
{{ config(meta={'dagster': {'ref': {'name': 'fct_mrr'}}}) }}
with ledger as (

    select
        month,
        sum(mrr) as ledger_mrr
    from {{ ref('fct_mrr') }}
    group by month

),

source_months as (

    select
        month_start as month,  -- noqa: RF04
        sum(mrr) as source_mrr
    from {{ ref('int_mrr__company_monthly') }}
    group by month_start

)

select
    ledger.ledger_mrr,
    source_months.source_mrr,
    coalesce(ledger.month, source_months.month) as month  -- noqa: RF04
from ledger
full outer join source_months
    on ledger.month = source_months.month
where coalesce(ledger.ledger_mrr, 0) <> coalesce(source_months.source_mrr, 0)
