-- kpi_monthly restates the ledger exactly: MRR and each bridge column equal the fct_mrr sums of the month, and
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

)

select
    kpi.month,
    kpi.mrr,
    ledger.mrr as ledger_mrr
from {{ ref('kpi_monthly') }} as kpi
left join ledger
    on kpi.month = ledger.month
where
    ledger.month is null
    or kpi.mrr <> ledger.mrr
    or kpi.new_mrr <> ledger.new_mrr
    or kpi.churned_mrr <> ledger.churned_mrr
    or kpi.fx_mrr <> ledger.fx_mrr
    or kpi.active_customers <> ledger.active_customers
    or kpi.arr <> kpi.mrr * 12
    or kpi.opening_mrr + kpi.new_mrr + kpi.expansion_mrr + kpi.reactivation_mrr + kpi.contraction_mrr
    + kpi.churned_mrr + kpi.fx_mrr <> kpi.mrr
