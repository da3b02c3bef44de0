{#- One row per month (column `month_start`, a date, the first of the month) from the month of `start_expr`
    through the month of `end_expr`, both inclusive. Both arguments are SQL expressions (a column of a one-row
    relation or a scalar subquery). Portable: digits cross-joined, no generate_series; at most 10,000 months (over
    800 years: timestamps before var min_plausible_date are quarantined, so a spine from a real first month never
    falls short of today). Each bound is evaluated once, in a one-row relation: inlined into every expression that
    uses it, a scalar subquery over a large CTE chain is planned once per copy (about 50 copies on Spark, where
    dbt-spark's month arithmetic repeats its arguments). -#}
{% macro month_spine(start_expr, end_expr) -%}
    select
        cast({{ dbt.dateadd('month', 'spine_numbers.month_number', 'spine_bounds.first_month') }} as date)
            as month_start
    from (
        select
            cast({{ dbt.date_trunc('month', start_expr) }} as date) as first_month,
            cast({{ dbt.date_trunc('month', end_expr) }} as date) as last_month
    ) as spine_bounds
    cross join (
        select thousands.digit * 1000 + hundreds.digit * 100 + tens.digit * 10 + ones.digit as month_number
        from ({{ month_spine_digits() }}) as ones
        cross join ({{ month_spine_digits() }}) as tens
        cross join ({{ month_spine_digits() }}) as hundreds
        cross join ({{ month_spine_digits() }}) as thousands
    ) as spine_numbers
    where
        spine_numbers.month_number
        <= {{ dbt.datediff('spine_bounds.first_month', 'spine_bounds.last_month', 'month') }}
{%- endmacro %}
