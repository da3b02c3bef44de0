{#- The whole calendar months of a service period [start_at, end_at) from its start: Mar 15 -> Apr 15 is 1,
    Jan 31 -> Feb 29 is 1 (a month from Jan 31 ends at the month's last day), a year is 12, and a prorated first
    period Jan 15 -> Feb 1 is 0 (counting month boundaries, as dbt.datediff does, would make it 1). -#}
{% macro period_whole_months(start_at, end_at) -%}
    {%- set boundaries = dbt.datediff(start_at, end_at, 'month') -%}
    (case when {{ dbt.dateadd('month', boundaries, start_at) }} > {{ end_at }} then {{ boundaries }} - 1
        else {{ boundaries }} end)
{%- endmacro %}

{#- The length of a service period [start_at, end_at) in months: its whole months (period_whole_months) plus the
    share of the next month it covers in days (Jan 15 -> Feb 1 is 17 / 31 = 0.548387), as decimal(38, 6), so a
    whole period is an exact number and an amount compared with it never reads a cent short. NULL when either end
    is. Annualise a period's amount as amount * 12 / period_months. -#}
{% macro period_months(start_at, end_at) -%}
    {%- set whole = period_whole_months(start_at, end_at) -%}
    {%- set month_after = dbt.dateadd('month', whole, start_at) -%}
    cast(
        {{ whole }}
        + {{ safe_divide(
            dbt.datediff(month_after, end_at, 'day'),
            dbt.datediff(month_after, dbt.dateadd('month', whole ~ ' + 1', start_at), 'day')
        ) }}
        as decimal(38, 6)
    )
{%- endmacro %}
