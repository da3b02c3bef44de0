{#- The MRR series the SQL-fallback forecast marts (fct_mrr_forecast, fct_forecast_accuracy) share, as CTEs read
    from a CTE `segment_mrr` (int_mrr__segment_monthly): `by_segment` (each segment's MRR per month), `totals`
    (series 'total'), `all_series`, `series_starts` (each series' first month with MRR) and `history` (each
    series from its start; `mrr` cast to `mrr_type` when given). Ends without a comma. -#}
{% macro forecast_mrr_series(mrr_type=none) -%}
by_segment as (

    select
        cast(segment as {{ dbt.type_string() }}) as series,
        cast(month as date) as month,  -- noqa: RF04
        sum(mrr) as mrr
    from segment_mrr
    group by
        segment,
        month

),

totals as (

    select
        cast('total' as {{ dbt.type_string() }}) as series,
        month,
        sum(mrr) as mrr
    from by_segment
    group by month

),

all_series as (

    select * from totals
    union all
    select * from by_segment

),

series_starts as (

    select
        series,
        min(month) as first_month
    from all_series
    where mrr > 0
    group by series

),

history as (

    select
        all_series.series,
        all_series.month,
        {%- if mrr_type %}
        cast(all_series.mrr as {{ mrr_type }}) as mrr
        {%- else %}
        all_series.mrr
        {%- endif %}
    from all_series
    inner join series_starts
        on
            all_series.series = series_starts.series
            and all_series.month >= series_starts.first_month

)
{%- endmacro %}
