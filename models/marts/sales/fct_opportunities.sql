{#- One row per Salesforce opportunity: its current state, days spent in each stage (from stage history), sales
    cycle, lead-source and first-touch channel, owner, company and segment, ACV in the reporting currency, and for
    closed-won deals the company's ARR before and after the close (ACV reconciled to billing). -#}
{%- set stages = [
    ('Prospecting', 'prospecting'),
    ('Qualification', 'qualification'),
    ('Needs Analysis', 'needs_analysis'),
    ('Value Proposition', 'value_proposition'),
    ('Proposal/Price Quote', 'proposal'),
    ('Negotiation/Review', 'negotiation'),
] -%}
with opportunities as (

    select * from {{ ref('stg_salesforce__opportunity') }}

),

intervals as (

    select * from {{ ref('int_opportunity_history__intervals') }}

),

users as (

    select * from {{ ref('stg_salesforce__user') }}

),

companies as (

    select * from {{ ref('int_billing_customers__companies') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates__monthly') }}

),

mrr as (

    select * from {{ ref('fct_mrr') }}

),

-- first touch: the company's earliest HubSpot contact (identity layer), not an email match with the account's
-- CRM contacts (a person's CRM and marketing addresses often differ)
company_first_touches as (

    select * from {{ ref('int_companies__first_touch') }}

),

account_companies as (

    select
        source_id as account_id,
        company_id,
        segment
    from companies
    where source_system = 'salesforce' and source_table = 'account'

),

stage_days as (

    select
        opportunity_id,
        count(*) as stage_change_count,
        {%- for stage_name, column in stages %}
            sum(case when stage_name = '{{ stage_name }}' then days_in_state else 0 end) as days_in_{{ column }},
        {%- endfor %}
        min(valid_from_at) as first_stage_at
    from intervals
    group by opportunity_id

),

-- a closed deal's close date is when it closed (CRM, else stage history, else last change: macro
-- opportunity_close_dates, the rule the forecast buckets closed won by); an open deal's is the expected one
close_dates as (

    {{ opportunity_close_dates('opportunities', 'intervals') | indent(4) }}

),

enriched as (

    select
        opportunities.opportunity_id,
        opportunities.account_id,
        account_companies.company_id,
        coalesce(account_companies.segment, 'unknown') as segment,
        opportunities.opportunity_type,
        opportunities.stage_name,
        opportunities.forecast_category,
        opportunities.is_closed,
        opportunities.is_won,
        opportunities.acv_amount,
        opportunities.currency,
        opportunities.acv_amount
        * {{ reporting_rate('opportunities.currency', 'fx_rates.rate_to_reporting') }} as acv,
        opportunities.owner_id,
        users.user_name as owner_name,
        opportunities.lead_source,
        {{ acquisition_channel('opportunities.lead_source') }} as lead_source_channel,
        coalesce(company_first_touches.first_touch_channel, 'unknown') as first_touch_channel,
        opportunities.campaign_id,
        opportunities.created_at,
        close_dates.close_date,
        cast({{ dbt.date_trunc('month', 'close_dates.close_date') }} as date) as close_month,
        -- never negative: a deal backdated before its creation (logged in the CRM after it closed) counts 0 days,
        -- so it cannot pull the average cycle below zero
        case
            when opportunities.is_closed and close_dates.close_date < cast(opportunities.created_at as date)
                then 0
            when opportunities.is_closed
                then {{ dbt.datediff('cast(opportunities.created_at as date)', 'close_dates.close_date', 'day') }}
        end as sales_cycle_days,
        coalesce(stage_days.stage_change_count, 0) as stage_change_count,
        {%- for stage_name, column in stages %}
            coalesce(stage_days.days_in_{{ column }}, 0) as days_in_{{ column }},
        {%- endfor %}
        opportunities.is_deleted
    from opportunities
    left join account_companies
        on opportunities.account_id = account_companies.account_id
    left join users
        on opportunities.owner_id = users.user_id
    left join stage_days
        on opportunities.opportunity_id = stage_days.opportunity_id
    inner join close_dates
        on opportunities.opportunity_id = close_dates.opportunity_id
    left join company_first_touches
        on account_companies.company_id = company_first_touches.company_id
    left join fx_rates
        on
            opportunities.currency = fx_rates.currency
            and cast({{ dbt.date_trunc('month', 'close_dates.close_date') }} as date) = fx_rates.month_start

),

-- closed-won ACV reconciled to billing: the company's ARR (MRR x 12) the month before and the month after close
reconciled as (

    select
        enriched.*,
        -- no ledger row: no revenue (0); an unconverted ledger month (mrr NULL): unknown, so NULL rather than 0
        case
            when enriched.is_won and mrr_before.company_id is null then 0
            when enriched.is_won then mrr_before.mrr * 12
        end as company_arr_before_close,
        case
            when enriched.is_won and mrr_after.company_id is null then 0
            when enriched.is_won then mrr_after.mrr * 12
        end as company_arr_after_close
    from enriched
    left join mrr as mrr_before
        on
            enriched.company_id = mrr_before.company_id
            and mrr_before.month = cast({{ dbt.dateadd('month', '-1', 'enriched.close_month') }} as date)
    left join mrr as mrr_after
        on
            enriched.company_id = mrr_after.company_id
            and mrr_after.month = cast({{ dbt.dateadd('month', '1', 'enriched.close_month') }} as date)

),

-- A closed new-business deal entered twice in the CRM (same company, outcome, amount, currency and close date, not
-- deleted) is one deal: the lowest opportunity id stands for it, the others are flagged is_duplicate_entry. A deal
-- missing its amount, currency or close date is nobody's duplicate: two unknown amounts are not the same amount.
dedup_candidates as (

    select
        *,
        coalesce(
            is_closed
            and opportunity_type = 'New Business'
            and company_id is not null
            and acv_amount is not null
            and currency is not null
            and close_date is not null
            and not coalesce(is_deleted, false),
            false
        ) as is_dedup_candidate
    from reconciled

),

entry_ranks as (

    select
        *,
        row_number() over (
            partition by is_dedup_candidate, company_id, is_won, acv_amount, currency, close_date
            order by opportunity_id
        ) as entry_rank
    from dedup_candidates

),

final as (

    select
        cast(opportunity_id as {{ dbt.type_string() }}) as opportunity_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(company_id as {{ dbt.type_string() }}) as company_id,
        cast(segment as {{ dbt.type_string() }}) as segment,
        cast(opportunity_type as {{ dbt.type_string() }}) as opportunity_type,
        cast(stage_name as {{ dbt.type_string() }}) as stage_name,
        cast(forecast_category as {{ dbt.type_string() }}) as forecast_category,
        is_closed,
        is_won,
        cast(acv_amount as decimal(18, 2)) as acv_amount,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(acv as decimal(18, 2)) as acv,
        cast(owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(owner_name as {{ dbt.type_string() }}) as owner_name,
        cast(lead_source as {{ dbt.type_string() }}) as lead_source,
        cast(lead_source_channel as {{ dbt.type_string() }}) as lead_source_channel,
        cast(first_touch_channel as {{ dbt.type_string() }}) as first_touch_channel,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        created_at,
        close_date,
        close_month,
        cast(sales_cycle_days as integer) as sales_cycle_days,
        cast(stage_change_count as integer) as stage_change_count,
        {%- for stage_name, column in stages %}
            cast(days_in_{{ column }} as decimal(18, 2)) as days_in_{{ column }},
        {%- endfor %}
        cast(company_arr_before_close as decimal(18, 2)) as company_arr_before_close,
        cast(company_arr_after_close as decimal(18, 2)) as company_arr_after_close,
        cast(
            case
                when is_won and opportunity_type in ('New Business', 'Upsell')
                    then company_arr_after_close - company_arr_before_close - acv
            end as decimal(18, 2)
        ) as acv_reconciliation_gap,
        coalesce(is_deleted, false) as is_deleted,
        is_dedup_candidate and entry_rank > 1 as is_duplicate_entry
    from entry_ranks

)

select * from final
