{#- SQL fallback of fct_mrr_forecast (engines without dbt Python models, or var forecast_engine = 'sql'): the
    seasonal-naive forecast of every series (total and each segment with MRR), var forecast_horizon_months ahead
    of the last ledger month: forecast(h) = MRR of the same month a year earlier (k = years ahead). Intervals:
    forecast +/- z x sigma x sqrt(k), sigma = standard deviation of the series' year-over-year differences,
    floored at 0. Same columns and history rule (incremental, delete+insert on run_date) as the Python model. -#}
{#- Spark's Parquet tables have no delete+insert: there the run_date partition is overwritten instead. -#}
{{ config(
    materialized='incremental',
    incremental_strategy=('insert_overwrite' if target.type == 'spark' else 'delete+insert'),
    partition_by=(['run_date'] if target.type == 'spark' else none),
    unique_key='run_date',
) }}
{#- standard normal quantiles of the 80 % and 95 % two-sided intervals -#}
{%- set z80 = 1.2816 -%}
{%- set z95 = 1.96 -%}
{%- set run_date = var('forecast_run_date') -%}
with segment_mrr as (

    select * from {{ ref('int_mrr__segment_monthly') }}

),

{{ forecast_mrr_series() }},

origin as (

    select max(month) as origin_month
    from history

),

digits as (

    {{ month_spine_digits() }}

),

horizons as (

    select ones.digit + 10 * tens.digit as horizon
    from digits as ones
    cross join digits as tens
    where ones.digit + 10 * tens.digit between 1 and {{ var('forecast_horizon_months') }}

),

seasonal_differences as (

    select
        history.series,
        stddev_samp(history.mrr - last_year.mrr) as sigma
    from history
    inner join history as last_year
        on
            history.series = last_year.series
            and {{ dbt.dateadd('month', '-12', 'history.month') }} = last_year.month
    group by history.series

),

grid as (

    select
        series_starts.series,
        origin.origin_month,
        horizons.horizon,
        cast(floor((horizons.horizon - 1) / 12.0) as integer) + 1 as years_ahead,
        cast({{ dbt.dateadd('month', 'horizons.horizon', 'origin.origin_month') }} as date) as month  -- noqa: RF04
    from series_starts
    cross join origin
    cross join horizons

),

forecasts as (

    select
        grid.series,
        grid.origin_month,
        grid.month,
        grid.horizon,
        grid.years_ahead,
        coalesce(last_year.mrr, 0) as forecast,
        coalesce(seasonal_differences.sigma, 0) * sqrt(grid.years_ahead) as spread
    from grid
    left join history as last_year
        on
            grid.series = last_year.series
            and {{ dbt.dateadd('month', '-12 * grid.years_ahead', 'grid.month') }} = last_year.month
    left join seasonal_differences
        on grid.series = seasonal_differences.series

),

final as (

    select
        {{ dbt.concat([
            dbt.cast('run_date', dbt.type_string()), "'|'", 'series', "'|seasonal_naive|'",
            dbt.cast('month', dbt.type_string())
        ]) }} as forecast_id,
        run_date,
        series,
        origin_month,
        month,
        horizon,
        model,
        is_selected,
        forecast,
        lo_80,
        hi_80,
        lo_95,
        hi_95,
        backtest_wape
    from (
        select
            {% if run_date %}cast('{{ run_date }}' as date){% else %}current_date{% endif %} as run_date,
            series,
            cast(origin_month as date) as origin_month,
            month,
            cast(horizon as integer) as horizon,
            cast('seasonal_naive' as {{ dbt.type_string() }}) as model,  -- noqa: RF04
            true as is_selected,
            cast(forecast as {{ type_double() }}) as forecast,
            cast(
                case when forecast - {{ z80 }} * spread > 0 then forecast - {{ z80 }} * spread else 0 end
                as {{ type_double() }}
            ) as lo_80,
            cast(forecast + {{ z80 }} * spread as {{ type_double() }}) as hi_80,
            cast(
                case when forecast - {{ z95 }} * spread > 0 then forecast - {{ z95 }} * spread else 0 end
                as {{ type_double() }}
            ) as lo_95,
            cast(forecast + {{ z95 }} * spread as {{ type_double() }}) as hi_95,
            cast(null as {{ type_double() }}) as backtest_wape
        from forecasts
    ) as dated

)

select * from final
