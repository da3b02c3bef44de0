-- kpi_monthly_by_channel slices kpi_monthly: per month, its channels' paid media and new customers add up to
-- kpi_monthly's, and it has no month kpi_monthly lacks (a month with spend but no ledger row, before the first
-- paying customer or in a month nobody pays, is in both). Returns the months that differ.
-- It reads several models: dagster-dbt attaches it as an asset check to the one it checks (meta dagster.ref).
{{ config(meta={'dagster': {'ref': {'name': 'kpi_monthly_by_channel'}}}) }}
with by_channel as (

    select
        month,
        sum(paid_media_spend) as paid_media_spend,
        sum(new_customers) as new_customers
    from {{ ref('kpi_monthly_by_channel') }}
    group by month

),

kpi as (

    select * from {{ ref('kpi_monthly') }}

)

select
    by_channel.paid_media_spend,
    kpi.paid_media_spend as kpi_paid_media_spend,
    by_channel.new_customers,
    kpi.new_customers as kpi_new_customers,
    coalesce(kpi.month, by_channel.month) as month  -- noqa: RF04
from kpi
full outer join by_channel
    on kpi.month = by_channel.month
where
    kpi.month is null
    or abs(coalesce(by_channel.paid_media_spend, 0) - kpi.paid_media_spend) > 0.01
    or coalesce(by_channel.new_customers, 0) <> kpi.new_customers
