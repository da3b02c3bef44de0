{#- Acquisition per month and channel: new customers and their MRR (by the channel that acquired the company),
    paid-media spend of the channel and paid-media CAC, and new-business win rate by lead-source channel. A channel
    has a row in each month with activity up to the ledger's last month (as kpi_monthly: spend before the first
    paying customer, or in a month in which nobody pays, keeps its row). -#}
with mrr as (

    select * from {{ ref('fct_mrr') }}

),

channels as (

    select * from {{ ref('int_companies__acquisition_channel') }}

),

spend as (

    select * from {{ ref('int_acquisition_spend__monthly') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}
    where not is_deleted and not is_duplicate_entry and is_closed and opportunity_type = 'New Business'

),

new_logos as (

    select
        mrr.month,
        coalesce(channels.acquisition_channel, 'unknown') as channel,
        count(*) as new_customers,
        sum(mrr.movement_amount) as new_mrr
    from mrr
    left join channels
        on mrr.company_id = channels.company_id
    where mrr.movement = 'new'
    group by
        mrr.month,
        coalesce(channels.acquisition_channel, 'unknown')

),

paid_media as (

    select
        month,
        channel,
        sum(paid_media_spend) as paid_media_spend
    from spend
    where channel <> 'all'
    group by
        month,
        channel

),

deals as (

    select
        close_month as month,  -- noqa: RF04
        lead_source_channel as channel,
        sum(case when is_won then 1 else 0 end) as won_deals,
        -- a closed deal whose won flag is empty in the CRM is neither won nor lost (as in kpi_monthly)
        sum(case when not is_won then 1 else 0 end) as lost_deals,
        sum(case when is_won then acv else 0 end) as won_acv
    from opportunities
    group by
        close_month,
        lead_source_channel

),

-- spend and deals after the ledger's last month wait for the month's ledger (as in kpi_monthly)
ledger_end as (

    select max(month) as last_month
    from mrr

),

keys as (

    select
        month,
        channel
    from new_logos
    union
    select
        month,
        channel
    from paid_media
    union
    select
        month,
        channel
    from deals

),

final as (

    select
        cast(keys.month as date) as month,  -- noqa: RF04
        cast(keys.channel as {{ dbt.type_string() }}) as channel,
        cast(coalesce(new_logos.new_customers, 0) as integer) as new_customers,
        cast(coalesce(new_logos.new_mrr, 0) as decimal(18, 2)) as new_mrr,
        cast(coalesce(paid_media.paid_media_spend, 0) as decimal(18, 2)) as paid_media_spend,
        -- NULL (with the reason below) when the channel had no paid media, also when its ads rows add up to 0
        cast(
            case
                when coalesce(paid_media.paid_media_spend, 0) <> 0
                    then {{ safe_divide('paid_media.paid_media_spend', 'new_logos.new_customers') }}
            end as decimal(18, 2)
        ) as cac_paid_media,
        cast(
            case
                when coalesce(new_logos.new_customers, 0) = 0 then 'no new customers from the channel this month'
                when coalesce(paid_media.paid_media_spend, 0) = 0 then 'no paid media in the channel'
            end as {{ dbt.type_string() }}
        ) as cac_paid_media_null_reason,
        cast(coalesce(deals.won_deals, 0) as integer) as won_deals,
        cast(coalesce(deals.lost_deals, 0) as integer) as lost_deals,
        cast(coalesce(deals.won_acv, 0) as decimal(18, 2)) as won_acv,
        cast({{ safe_divide('deals.won_deals', 'deals.won_deals + deals.lost_deals') }} as decimal(18, 6))
            as win_rate_count,
        cast(case
            when coalesce(deals.won_deals + deals.lost_deals, 0) = 0
                then 'no new-business deals from the channel closed this month'
        end as {{ dbt.type_string() }})
            as win_rate_null_reason
    from keys
    inner join ledger_end
        on keys.month <= ledger_end.last_month
    left join new_logos
        on keys.month = new_logos.month and keys.channel = new_logos.channel
    left join paid_media
        on keys.month = paid_media.month and keys.channel = paid_media.channel
    left join deals
        on keys.month = deals.month and keys.channel = deals.channel

)

select * from final
