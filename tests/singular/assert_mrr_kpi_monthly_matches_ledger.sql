-- kpi_monthly restates the ledger exactly: every ledger month has its row, MRR and each bridge column equal the
-- fct_mrr sums of the month (0 in a month where no company has a ledger row: inside the ledger's span, or before
-- its first month when spend or deals came first), no row comes after the ledger's last month, and
-- opening + new + expansion + reactivation + contraction + churned + fx = MRR. Returns the months that differ.
-- It reads several models: dagster-dbt attaches it as an asset check to the one it checks (meta dagster.ref).
{{ config(meta={'dagster': {'ref': {'name': 'kpi_monthly'}}}) }}
with ledger as (

    select
        month,
        sum(mrr) as mrr,
        sum(case when movement = 'new' then movement_amount else 0 end) as new_mrr,
        sum(case when movement = 'churn' then movement_amount else 0 end) as churned_mrr,
        sum(fx_amount) as fx_mrr,
        sum(case when mrr > 0 then 1 else 0 end) as active_customers
    from {{ ref('fct_mrr') }}
    group by month

),

ledger_end as (

    select max(month) as last_month
    from ledger

)

select
    kpi.mrr,
    ledger.mrr as ledger_mrr,
    coalesce(kpi.month, ledger.month) as month  -- noqa: RF04
from {{ ref('kpi_monthly') }} as kpi
full outer join ledger
    on kpi.month = ledger.month
cross join ledger_end
where
    kpi.month is null
    or kpi.month > ledger_end.last_month
    or kpi.mrr <> coalesce(ledger.mrr, 0)
    or kpi.new_mrr <> coalesce(ledger.new_mrr, 0)
    or kpi.churned_mrr <> coalesce(ledger.churned_mrr, 0)
    or kpi.fx_mrr <> coalesce(ledger.fx_mrr, 0)
    or kpi.active_customers <> coalesce(ledger.active_customers, 0)
    or kpi.arr <> kpi.mrr * 12
    or kpi.opening_mrr + kpi.new_mrr + kpi.expansion_mrr + kpi.reactivation_mrr + kpi.contraction_mrr
    + kpi.churned_mrr + kpi.fx_mrr <> kpi.mrr
