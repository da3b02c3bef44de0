-- Day time spine for MetricFlow (one row per day): time-based joins and aggregations of the semantic layer.
with days as (
    {{ dbt.date_spine(datepart="day", start_date="cast('2015-01-01' as date)", end_date="cast('2036-01-01' as date)") }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
