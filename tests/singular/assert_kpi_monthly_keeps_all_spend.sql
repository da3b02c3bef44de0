-- kpi_monthly keeps every month's acquisition spend: up to the ledger's last month, each month's paid media and
-- fully loaded spend equal the sums of int_acquisition_spend__monthly (to the cent), and a month with spend has its
-- row even when no company has a ledger row that month, or it comes before the first paying customer. Returns the
-- months that differ.
-- It reads several models: dagster-dbt attaches it as an asset check to the one it checks (meta dagster.ref).
{{ config(meta={'dagster': {'ref': {'name': 'kpi_monthly'}}}) }}
with kpi as (

    select * from {{ ref('kpi_monthly') }}

),

ledger_end as (

    select max(month) as last_month
    from {{ ref('fct_mrr') }}

),

spend as (

    select
        spend_months.month,
        coalesce(sum(spend_months.paid_media_spend), 0) as paid_media_spend,
        coalesce(sum(spend_months.paid_media_spend), 0) + coalesce(sum(spend_months.sales_marketing_expense), 0)
            as fully_loaded_spend
    from {{ ref('int_acquisition_spend__monthly') }} as spend_months
    inner join ledger_end
        on spend_months.month <= ledger_end.last_month
    group by spend_months.month

)

select
    spend.month,
    kpi.paid_media_spend,
    spend.paid_media_spend as source_paid_media_spend,
    kpi.fully_loaded_spend,
    spend.fully_loaded_spend as source_fully_loaded_spend
from spend
left join kpi
    on spend.month = kpi.month
where
    (kpi.month is null and (spend.paid_media_spend <> 0 or spend.fully_loaded_spend <> 0))
    or abs(kpi.paid_media_spend - spend.paid_media_spend) > 0.01
    or abs(kpi.fully_loaded_spend - spend.fully_loaded_spend) > 0.01
