{#- SQL fallback of fct_forecast_accuracy (engines without dbt Python models, or var forecast_engine = 'sql'), same
    columns: the rolling-origin backtest of the seasonal-naive forecast (the only model here: forecast of month m =
    MRR of the same month in the last year before the origin), stored forecasts of fct_mrr_forecast against
    actuals (each origin's latest run), and the sales pipeline's commit / best case against closed-won ACV. -#}
{#- months back to the same month of the last year before the origin (k = years ahead) -#}
{%- set years_back = '-12 * (cast(floor((horizons.horizon - 1) / 12.0) as integer) + 1)' -%}
with segment_mrr as (

    select * from {{ ref('int_mrr__segment_monthly') }}

),

stored_forecasts as (

    select * from {{ ref('fct_mrr_forecast') }}

),

pipeline as (

    select * from {{ ref('int_forecast__sales_pipeline_monthly') }}

),

{{ forecast_mrr_series(type_double()) }},

last_month as (

    select max(month) as last_month
    from history

),

digits as (

    {{ month_spine_digits() }}

),

numbers as (

    select ones.digit + 10 * tens.digit as n
    from digits as ones
    cross join digits as tens

),

origins as (

    select cast({{ dbt.dateadd('month', '-1 * numbers.n', 'last_month.last_month') }} as date) as origin_month
    from numbers
    cross join last_month
    where numbers.n between 1 and {{ var('forecast_backtest_origins') }}

),

horizons as (

    select n as horizon
    from numbers
    where n between 1 and {{ var('forecast_horizon_months') }}

),

backtest_points as (

    select
        actual.series,
        actual.month,
        horizons.horizon,
        actual.mrr as actual,
        last_year.mrr as forecast
    from origins
    cross join horizons
    inner join history as actual
        on {{ dbt.dateadd('month', 'horizons.horizon', 'origins.origin_month') }} = actual.month
    inner join history as last_year
        on
            actual.series = last_year.series
            and {{ dbt.dateadd('month', years_back, 'actual.month') }} = last_year.month

),

-- one forecast / actual pair per origin: a daily build stores its origin's forecast again each day; the latest counts
ranked_stored as (

    select
        series,
        model,
        is_selected,
        month,
        horizon,
        forecast,
        row_number() over (
            partition by series, model, origin_month, month
            order by run_date desc, forecast_id desc
        ) as run_rank
    from stored_forecasts

),

latest_stored as (

    select * from ranked_stored
    where run_rank = 1

),

stored_points as (

    select
        stored_forecasts.series,
        stored_forecasts.month,
        stored_forecasts.horizon,
        stored_forecasts.model,
        stored_forecasts.is_selected,
        history.mrr as actual,
        stored_forecasts.forecast
    from latest_stored as stored_forecasts
    inner join history
        on
            stored_forecasts.series = history.series
            and stored_forecasts.month = history.month

),

points as (

    select
        'rolling_origin_backtest' as evaluation,
        'mrr' as measure,
        series,
        'seasonal_naive' as model,  -- noqa: RF04
        true as is_selected,
        month,
        horizon,
        actual,
        forecast
    from backtest_points
    union all
    select
        'stored_forecast' as evaluation,
        'mrr' as measure,
        series,
        model,
        is_selected,
        month,
        horizon,
        actual,
        forecast
    from stored_points
    union all
    select
        'pipeline_snapshot' as evaluation,
        'closed_won_acv' as measure,
        'total' as series,
        'sales_commit' as model,  -- noqa: RF04
        false as is_selected,
        close_month as month,  -- noqa: RF04
        horizon,
        cast(closed_won_amount as {{ type_double() }}) as actual,
        cast(commit_amount as {{ type_double() }}) as forecast
    from pipeline
    where closed_won_amount != 0 or commit_amount != 0
    union all
    select
        'pipeline_snapshot' as evaluation,
        'closed_won_acv' as measure,
        'total' as series,
        'sales_best_case' as model,  -- noqa: RF04
        false as is_selected,
        close_month as month,  -- noqa: RF04
        horizon,
        cast(closed_won_amount as {{ type_double() }}) as actual,
        cast(best_case_amount as {{ type_double() }}) as forecast
    from pipeline
    where closed_won_amount != 0 or best_case_amount != 0

),

aggregated as (

    select
        evaluation,
        measure,
        series,
        model,
        horizon,
        max(case when is_selected then 1 else 0 end) as is_selected,
        count(*) as n_points,
        avg(case when actual != 0 then abs(forecast - actual) / abs(actual) end) as mape,
        sum(abs(forecast - actual)) as absolute_error,
        sum(forecast - actual) as error,
        sum(abs(actual)) as absolute_actual,
        sum(actual) as actual_total,
        sum(forecast) as forecast_total,
        min(month) as first_month,
        max(month) as last_month
    from points
    group by
        evaluation,
        measure,
        series,
        model,
        horizon

),

final as (

    select
        {{ dbt.concat([
            'evaluation', "'|'", 'series', "'|'", 'model', "'|'", dbt.cast('horizon', dbt.type_string())
        ]) }} as accuracy_id,
        cast(evaluation as {{ dbt.type_string() }}) as evaluation,
        cast(measure as {{ dbt.type_string() }}) as measure,
        series,
        cast(model as {{ dbt.type_string() }}) as model,  -- noqa: RF04
        is_selected = 1 as is_selected,
        model = 'seasonal_naive' as is_baseline,
        cast(horizon as integer) as horizon,
        cast(n_points as integer) as n_points,
        cast(mape as {{ type_double() }}) as mape,
        cast({{ safe_divide('absolute_error', 'absolute_actual') }} as {{ type_double() }}) as wape,
        cast({{ safe_divide('error', 'absolute_actual') }} as {{ type_double() }}) as bias,
        cast(actual_total as {{ type_double() }}) as actual_total,
        cast(forecast_total as {{ type_double() }}) as forecast_total,
        cast(first_month as date) as first_month,
        cast(last_month as date) as last_month
    from aggregated

)

select * from final
