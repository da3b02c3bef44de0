{#- Sales aggregates per month (reporting currency): new-business deals closed (won / lost, count and ACV),
    sales cycles, open pipeline at month end, renewals closed, and the forecast as it stood at the start of the
    month (stage history) against what closed won. The KPI marts compute the ratios. -#}
with opportunities as (

    select * from {{ ref('fct_opportunities') }}
    -- a deal entered twice in the CRM counts once (fct_opportunities.is_duplicate_entry)
    where not is_deleted and not is_duplicate_entry

),

intervals as (

    select * from {{ ref('int_opportunity_history__intervals') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates__monthly') }}

),

months as (

    {{ month_spine('(select min(created_at) from opportunities)', '(select max(close_date) from opportunities)')
        | indent(4) }}

),

month_bounds as (

    select
        month_start,
        cast(month_start as {{ dbt.type_timestamp() }}) as month_start_at,
        cast({{ dbt.dateadd('month', '1', 'month_start') }} as date) as next_month_start
    from months

),

closed_in_month as (

    select
        close_month as month_start,
        sum(case when opportunity_type = 'New Business' and is_won then 1 else 0 end) as won_deals,
        -- the average deal size is over the won deals whose ACV is known (an amount missing in the CRM is not 0)
        sum(case when opportunity_type = 'New Business' and is_won and acv is not null then 1 else 0 end)
            as won_deals_with_acv,
        sum(case when opportunity_type = 'New Business' and not is_won then 1 else 0 end) as lost_deals,
        sum(case when opportunity_type = 'New Business' and is_won then acv else 0 end) as won_acv,
        sum(case when opportunity_type = 'New Business' and not is_won then acv else 0 end) as lost_acv,
        sum(case when opportunity_type = 'New Business' and is_won then sales_cycle_days else 0 end)
            as won_cycle_days,
        sum(case when opportunity_type = 'Renewal' and is_won then 1 else 0 end) as renewals_won,
        -- closed = won or lost: a renewal whose won flag is empty is neither (as in won_deals / lost_deals above)
        sum(case when opportunity_type = 'Renewal' and is_won is not null then 1 else 0 end) as renewals_closed,
        sum(case when is_won then acv else 0 end) as closed_won_acv_all_types
    from opportunities
    where is_closed
    group by close_month

),

open_at_month_end as (

    select
        month_bounds.month_start,
        count(*) as open_deals
    from month_bounds
    inner join opportunities
        on
            cast(opportunities.created_at as date) < month_bounds.next_month_start
            and (not opportunities.is_closed or month_bounds.next_month_start <= opportunities.close_date)
    where opportunities.opportunity_type = 'New Business'
    group by month_bounds.month_start

),

-- the state of every opportunity at the start of the month: the history row in force at 00:00 on the 1st, its
-- interval [valid_from_at, valid_to_at) holding that instant (deleted opportunities left out, as in what closed)
forecast_states as (

    select
        month_bounds.month_start,
        intervals.opportunity_id,
        intervals.forecast_category,
        intervals.acv_amount * {{ reporting_rate('intervals.currency', 'fx_rates.rate_to_reporting') }} as acv
    from month_bounds
    inner join intervals
        on
            month_bounds.month_start_at >= intervals.valid_from_at
            and (intervals.valid_to_at is null or month_bounds.month_start_at < intervals.valid_to_at)
            and month_bounds.month_start <= intervals.close_date
            and month_bounds.next_month_start > intervals.close_date
    inner join opportunities
        on intervals.opportunity_id = opportunities.opportunity_id
    left join fx_rates
        on
            intervals.currency = fx_rates.currency
            and month_bounds.month_start = fx_rates.month_start
    where not intervals.is_closed_stage

),

forecast as (

    select
        month_start,
        sum(case when forecast_category = 'Commit' then acv else 0 end) as forecast_commit,
        sum(case when forecast_category in ('Commit', 'Best Case') then acv else 0 end) as forecast_best_case
    from forecast_states
    group by month_start

),

final as (

    select
        month_bounds.month_start as month,  -- noqa: RF04
        coalesce(closed_in_month.won_deals, 0) as won_deals,
        coalesce(closed_in_month.won_deals_with_acv, 0) as won_deals_with_acv,
        coalesce(closed_in_month.lost_deals, 0) as lost_deals,
        coalesce(closed_in_month.won_acv, 0) as won_acv,
        coalesce(closed_in_month.lost_acv, 0) as lost_acv,
        coalesce(closed_in_month.won_cycle_days, 0) as won_cycle_days,
        coalesce(open_at_month_end.open_deals, 0) as open_deals,
        coalesce(closed_in_month.renewals_won, 0) as renewals_won,
        coalesce(closed_in_month.renewals_closed, 0) as renewals_closed,
        coalesce(forecast.forecast_commit, 0) as forecast_commit,
        coalesce(forecast.forecast_best_case, 0) as forecast_best_case,
        coalesce(closed_in_month.closed_won_acv_all_types, 0) as closed_won_acv
    from month_bounds
    left join closed_in_month
        on month_bounds.month_start = closed_in_month.month_start
    left join open_at_month_end
        on month_bounds.month_start = open_at_month_end.month_start
    left join forecast
        on month_bounds.month_start = forecast.month_start

)

select * from final
