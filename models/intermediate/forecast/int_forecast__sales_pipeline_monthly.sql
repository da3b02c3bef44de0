{#- The sales team's own forecast per close month, as the CRM showed it `horizon` months ahead, next to what
    closed. Snapshot of horizon h for close month M = the opportunity states valid at the start of month
    M - (h - 1) (h = 1: on the first day of M, the same origin as a statistical forecast whose history ends with
    the previous month). Commit = open deals in forecast category Commit closing in M; best case = Commit plus
    Best Case. Closed won = ACV of deals won with a close date in M (macro opportunity_close_dates: the CRM's, else
    when the stage history shows it closed, as fct_opportunities). Amounts in the reporting currency at the FX
    rate of the snapshot month (closed won: of the close month). Months up to the month before the CRM export. -#}
with history as (

    select * from {{ ref('stg_salesforce__opportunity_history') }}

),

opportunities as (

    select * from {{ ref('stg_salesforce__opportunity') }}

),

intervals as (

    select * from {{ ref('int_opportunity_history__intervals') }}

),

-- a closed deal's close date as fct_opportunities reports it (CRM, else stage history, else last change): a deal
-- won with no close date, or one after its export, is closed won in the month it closed
close_dates as (

    {{ opportunity_close_dates('opportunities', 'intervals') | indent(4) }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates__monthly') }}

),

digits as (

    {{ month_spine_digits() }}

),

horizons as (

    select ones.digit + 10 * tens.digit as horizon
    from digits as ones
    cross join digits as tens
    where ones.digit + 10 * tens.digit between 1 and {{ var('forecast_pipeline_horizons') }}

),

export_month as (

    select cast({{ dbt.date_trunc('month', 'max(changed_at)') }} as date) as export_month
    from history

),

close_months as (

    {{ month_spine('(select min(close_date) from close_dates)', '(select max(export_month) from export_month)')
        | indent(4) }}

),

snapshots as (

    select
        close_months.month_start as close_month,
        horizons.horizon,
        cast({{ dbt.dateadd('month', '1 - horizons.horizon', 'close_months.month_start') }} as date) as snapshot_month
    from close_months
    cross join horizons
    cross join export_month
    where close_months.month_start < export_month.export_month

),

states as (

    select
        history.opportunity_id,
        history.forecast_category,
        history.stage_name,
        history.acv_amount,
        history.close_date,
        opportunities.currency,
        history.changed_at as valid_from_at,
        lead(history.changed_at) over (
            partition by history.opportunity_id
            order by history.changed_at, history.opportunity_history_id
        ) as valid_to_at
    from history
    inner join opportunities
        on history.opportunity_id = opportunities.opportunity_id
    where not opportunities.is_deleted

),

snapshot_states as (

    select
        snapshots.close_month,
        snapshots.horizon,
        snapshots.snapshot_month,
        states.forecast_category,
        states.acv_amount * {{ reporting_rate('states.currency', 'fx_rates.rate_to_reporting') }} as acv
    from snapshots
    inner join states
        on
            states.valid_from_at <= cast(snapshots.snapshot_month as timestamp)
            and (states.valid_to_at is null or cast(snapshots.snapshot_month as timestamp) < states.valid_to_at)
            and snapshots.close_month <= states.close_date
            and {{ dbt.dateadd('month', '1', 'snapshots.close_month') }} > states.close_date
    left join fx_rates
        on
            states.currency = fx_rates.currency
            and snapshots.snapshot_month = fx_rates.month_start
    where states.stage_name not in ('Closed Won', 'Closed Lost')

),

pipeline as (

    select
        close_month,
        horizon,
        sum(case when forecast_category = 'Commit' then acv else 0 end) as commit_amount,
        sum(case when forecast_category in ('Commit', 'Best Case') then acv else 0 end) as best_case_amount,
        count(*) as open_opportunities
    from snapshot_states
    group by
        close_month,
        horizon

),

won as (

    select
        cast({{ dbt.date_trunc('month', 'close_dates.close_date') }} as date) as close_month,
        sum(
            opportunities.acv_amount * {{ reporting_rate('opportunities.currency', 'fx_rates.rate_to_reporting') }}
        ) as closed_won_amount,
        count(*) as won_opportunities
    from opportunities
    inner join close_dates
        on opportunities.opportunity_id = close_dates.opportunity_id
    left join fx_rates
        on
            opportunities.currency = fx_rates.currency
            and cast({{ dbt.date_trunc('month', 'close_dates.close_date') }} as date) = fx_rates.month_start
    where opportunities.is_won and not opportunities.is_deleted
    group by cast({{ dbt.date_trunc('month', 'close_dates.close_date') }} as date)

),

final as (

    select
        snapshots.close_month,
        snapshots.horizon,
        snapshots.snapshot_month,
        cast(coalesce(pipeline.commit_amount, 0) as decimal(18, 2)) as commit_amount,
        cast(coalesce(pipeline.best_case_amount, 0) as decimal(18, 2)) as best_case_amount,
        cast(coalesce(won.closed_won_amount, 0) as decimal(18, 2)) as closed_won_amount,
        coalesce(pipeline.open_opportunities, 0) as open_opportunities,
        coalesce(won.won_opportunities, 0) as won_opportunities
    from snapshots
    left join pipeline
        on
            snapshots.close_month = pipeline.close_month
            and snapshots.horizon = pipeline.horizon
    left join won
        on snapshots.close_month = won.close_month

)

select * from final
