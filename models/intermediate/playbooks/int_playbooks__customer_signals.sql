{#- One row per paying company (MRR > 0 in the ledger's last month), keyed on the identity layer's company_id,
    with the signals the upsell and churn-risk playbooks score: seat utilisation and usage growth (product usage,
    this window vs the one before), CSAT and NPS (satisfaction window), open urgent / high tickets, MRR now and
    three months ago, months since the last expansion, the next renewal (any live subscription's period end) and
    the next annual one (of a yearly-billed subscription), a pending cancellation and whether any
    subscription is still live (active, trialing or past due).
    As of the last usage day (signals) and the ledger's last month (MRR); windows are vars. -#}
{%- set satisfaction_start = dbt.dateadd('day', '-' ~ var('playbook_satisfaction_window_days'), 'as_of.as_of_date') -%}
with usage as (

    select * from {{ ref('stg_product__usage_daily') }}

),

-- the usage days alone, for the last one: `usage` is read once (by usage_signals), so DuckDB streams it
-- instead of first materialising the 12 M usage rows of scale 100 for two readers
usage_dates as (

    select usage_date from {{ ref('stg_product__usage_daily') }}

),

mrr as (

    select * from {{ ref('fct_mrr') }}

),

billing_companies as (

    select * from {{ ref('int_billing_customers__companies') }}

),

xref_companies as (

    select * from {{ ref('xref_companies') }}

),

xref_persons as (

    select * from {{ ref('xref_persons') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

subscriptions as (

    select * from {{ ref('stg_stripe__subscription') }}

),

subscription_items as (

    select * from {{ ref('stg_stripe__subscription_item') }}

),

prices as (

    select * from {{ ref('stg_stripe__price') }}

),

tickets as (

    select * from {{ ref('stg_zendesk__ticket') }}

),

ratings as (

    select * from {{ ref('stg_zendesk__satisfaction_rating') }}

),

nps as (

    select * from {{ ref('stg_zendesk__nps_response') }}

),

usage_end as (

    select max(usage_date) as as_of_date
    from usage_dates

),

ledger_end as (

    select max(month) as as_of_month
    from mrr

),

as_of as (

    select
        usage_end.as_of_date,
        ledger_end.as_of_month
    from usage_end
    cross join ledger_end

),

stripe_companies as (

    select
        source_id as stripe_customer_id,
        company_id
    from xref_companies
    where source_system = 'stripe' and source_table = 'customer'

),

-- the ledger's company key (billing mapping) -> the identity company, through the Stripe customer
ledger_companies as (

    select distinct
        billing_companies.company_id as ledger_company_id,
        stripe_companies.company_id
    from billing_companies
    inner join stripe_companies
        on billing_companies.source_id = stripe_companies.stripe_customer_id
    where billing_companies.source_system = 'stripe' and billing_companies.source_table = 'customer'

),

company_mrr as (

    select
        ledger_companies.company_id,
        mrr.month,
        mrr.movement,
        mrr.mrr
    from mrr
    inner join ledger_companies
        on mrr.company_id = ledger_companies.ledger_company_id

),

mrr_signals as (

    select
        company_mrr.company_id,
        sum(case when company_mrr.month = as_of.as_of_month then company_mrr.mrr else 0 end) as current_mrr,
        sum(
            case
                when company_mrr.month = {{ dbt.dateadd('month', '-3', 'as_of.as_of_month') }} then company_mrr.mrr
                else 0
            end
        ) as mrr_3_months_ago,
        min(case when company_mrr.mrr > 0 then company_mrr.month end) as first_paid_month,
        max(case when company_mrr.movement = 'expansion' then company_mrr.month end) as last_expansion_month
    from company_mrr
    cross join as_of
    group by company_mrr.company_id

),

usage_signals as (

    select
        stripe_companies.company_id,
        sum(
            case
                when
                    usage.usage_date
                    > {{ dbt.dateadd('day', '-' ~ var('playbook_usage_window_days'), 'as_of.as_of_date') }}
                    then usage.active_users
                else 0
            end
        ) as active_user_days,
        sum(
            case
                when
                    usage.usage_date
                    > {{ dbt.dateadd('day', '-' ~ var('playbook_usage_window_days'), 'as_of.as_of_date') }}
                    then usage.seats_purchased
                else 0
            end
        ) as seat_days,
        sum(
            case
                when
                    usage.usage_date
                    > {{ dbt.dateadd('day', '-' ~ var('playbook_usage_window_days'), 'as_of.as_of_date') }}
                    then usage.key_events
                else 0
            end
        ) as key_events_window,
        sum(
            case
                when
                    usage.usage_date
                    <= {{ dbt.dateadd('day', '-' ~ var('playbook_usage_window_days'), 'as_of.as_of_date') }}
                    then usage.key_events
                else 0
            end
        ) as key_events_previous_window
    from usage
    inner join stripe_companies
        on usage.stripe_customer_id = stripe_companies.stripe_customer_id
    cross join as_of
    where usage.usage_date > {{ dbt.dateadd('day', '-' ~ 2 * var('playbook_usage_window_days'), 'as_of.as_of_date') }}
    group by stripe_companies.company_id

),

-- live subscriptions billed yearly (an item on a yearly price): their period end is a contract renewal, which a
-- monthly subscription's (always within weeks) is not
yearly_subscriptions as (

    select distinct subscription_items.subscription_id
    from subscription_items
    inner join prices
        on subscription_items.price_id = prices.price_id
    where subscription_items.deleted_at is null and prices.recurring_interval = 'year'

),

subscription_signals as (

    select
        stripe_companies.company_id,
        min(subscriptions.current_period_end_at) as next_renewal_at,
        min(case when yearly_subscriptions.subscription_id is not null then subscriptions.current_period_end_at end)
            as next_annual_renewal_at,
        max(case when subscriptions.is_cancel_at_period_end then 1 else 0 end) as has_pending_cancellation
    from subscriptions
    inner join stripe_companies
        on subscriptions.customer_id = stripe_companies.stripe_customer_id
    left join yearly_subscriptions
        on subscriptions.subscription_id = yearly_subscriptions.subscription_id
    cross join as_of
    where
        subscriptions.subscription_status in ('active', 'trialing', 'past_due')
        and subscriptions.current_period_end_at >= cast(as_of.as_of_date as timestamp)
    group by stripe_companies.company_id

),

-- a company whose every subscription has ended is churned, even while the ledger's last month still carries the
-- MRR of its final weeks
live_subscriptions as (

    select distinct stripe_companies.company_id
    from subscriptions
    inner join stripe_companies
        on subscriptions.customer_id = stripe_companies.stripe_customer_id
    where subscriptions.subscription_status in ('active', 'trialing', 'past_due')

),

zendesk_companies as (

    select
        source_id as organization_id,
        company_id
    from xref_companies
    where source_system = 'zendesk' and source_table = 'organization'

),

company_tickets as (

    select
        zendesk_companies.company_id,
        tickets.ticket_id,
        tickets.priority,
        tickets.ticket_status not in ('solved', 'closed') as is_open
    from tickets
    inner join zendesk_companies
        on tickets.organization_id = zendesk_companies.organization_id

),

ticket_signals as (

    select
        company_id,
        sum(case when is_open and priority = 'urgent' then 1 else 0 end) as open_urgent_tickets,
        sum(case when is_open and priority in ('urgent', 'high') then 1 else 0 end) as open_high_priority_tickets
    from company_tickets
    group by company_id

),

csat_signals as (

    select
        company_tickets.company_id,
        sum(case when ratings.score = 'good' then 1 else 0 end) as csat_good,
        sum(case when ratings.score = 'bad' then 1 else 0 end) as csat_bad
    from ratings
    inner join company_tickets
        on ratings.ticket_id = company_tickets.ticket_id
    cross join as_of
    where
        ratings.score in ('good', 'bad')
        and ratings.created_at
        > cast({{ satisfaction_start }} as timestamp)
    group by company_tickets.company_id

),

nps_signals as (

    select
        xref_persons.company_id,
        count(*) as nps_responses,
        avg(cast(nps.nps_score as {{ type_double() }})) as nps_average
    from nps
    inner join xref_persons
        on
            xref_persons.source_system = 'zendesk'
            and xref_persons.source_table = 'nps_response'
            and nps.nps_response_id = xref_persons.source_id
    cross join as_of
    where
        xref_persons.company_id is not null
        and nps.submitted_at
        > cast({{ satisfaction_start }} as timestamp)
    group by xref_persons.company_id

),

final as (

    select
        mrr_signals.company_id,
        customers.company_name,
        coalesce(customers.segment, 'unknown') as segment,
        as_of.as_of_date,
        as_of.as_of_month,
        mrr_signals.current_mrr,
        mrr_signals.mrr_3_months_ago,
        case
            when mrr_signals.mrr_3_months_ago > 0
                then cast(mrr_signals.current_mrr as {{ type_double() }}) / mrr_signals.mrr_3_months_ago - 1
        end as mrr_change_3_months,
        mrr_signals.first_paid_month,
        mrr_signals.last_expansion_month,
        {{ dbt.datediff(
            'coalesce(mrr_signals.last_expansion_month, mrr_signals.first_paid_month)', 'as_of.as_of_month', 'month'
        ) }} as months_since_last_expansion,
        {{ safe_divide('usage_signals.active_user_days', 'usage_signals.seat_days') }} as seat_utilisation,
        case
            when usage_signals.key_events_previous_window > 0
                then
                    cast(usage_signals.key_events_window as {{ type_double() }})
                    / usage_signals.key_events_previous_window - 1
        end as usage_growth,
        coalesce(usage_signals.key_events_window, 0) as key_events_window,
        coalesce(csat_signals.csat_good, 0) + coalesce(csat_signals.csat_bad, 0) as csat_ratings,
        {{ safe_divide('csat_signals.csat_good', 'csat_signals.csat_good + csat_signals.csat_bad') }} as csat_score,
        coalesce(nps_signals.nps_responses, 0) as nps_responses,
        nps_signals.nps_average,
        coalesce(ticket_signals.open_urgent_tickets, 0) as open_urgent_tickets,
        coalesce(ticket_signals.open_high_priority_tickets, 0) as open_high_priority_tickets,
        cast(subscription_signals.next_renewal_at as date) as next_renewal_date,
        cast(subscription_signals.next_annual_renewal_at as date) as next_annual_renewal_date,
        coalesce(subscription_signals.has_pending_cancellation, 0) = 1 as has_pending_cancellation,
        live_subscriptions.company_id is not null as has_live_subscription
    from mrr_signals
    cross join as_of
    left join customers
        on mrr_signals.company_id = customers.company_id
    left join usage_signals
        on mrr_signals.company_id = usage_signals.company_id
    left join subscription_signals
        on mrr_signals.company_id = subscription_signals.company_id
    left join ticket_signals
        on mrr_signals.company_id = ticket_signals.company_id
    left join csat_signals
        on mrr_signals.company_id = csat_signals.company_id
    left join nps_signals
        on mrr_signals.company_id = nps_signals.company_id
    left join live_subscriptions
        on mrr_signals.company_id = live_subscriptions.company_id
    where mrr_signals.current_mrr > 0

)

select * from final
