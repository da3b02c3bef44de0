{#- The whole calendar months from start_at that end on or before end_at: Mar 15 -> Apr 15 is 1, Jan 31 -> Feb 28
    is 1 (a month from Jan 31 ends at February's last day), a year is 12, and a prorated first period
    Jan 15 -> Feb 1 is 0 (dbt.datediff counts month boundaries, which would make it 1). -#}
{% macro period_whole_months(start_at, end_at) -%}
    {%- set boundaries = dbt.datediff(start_at, end_at, 'month') -%}
    (case when {{ dbt.dateadd('month', boundaries, start_at) }} > {{ end_at }} then {{ boundaries }} - 1
        else {{ boundaries }} end)
{%- endmacro %}

{#- The length of a service period [start_at, end_at) in months, as decimal(38, 6): a whole number when the period
    is whole months, counted from its start (Jan 31 -> Feb 28) or back from its end (a plan billed on the 30th:
    Feb 28 -> Mar 30), so an amount compared with it never reads a cent short; otherwise its whole months from the
    start plus the share of the next month it covers, in seconds as Stripe prorates (Jan 15 -> Feb 1 is 17 / 31 =
    0.548387 of a month; from noon on Jan 15, 16.5 / 31 = 0.532258). NULL when either end is. Annualise a period's
    amount as amount * 12 / period_months; a period is whole months when period_months = floor(period_months). -#}
{% macro period_months(start_at, end_at) -%}
    {%- set boundaries = dbt.datediff(start_at, end_at, 'month') -%}
    {%- set whole = period_whole_months(start_at, end_at) -%}
    {%- set month_after = dbt.dateadd('month', whole, start_at) -%}
    cast(
        case
            when {{ dbt.dateadd('month', '-1 * ' ~ boundaries, end_at) }} = {{ start_at }} then {{ boundaries }}
            else
                {{ whole }}
                + {{ safe_divide(
                    epoch_seconds(end_at) ~ ' - ' ~ epoch_seconds(month_after),
                    epoch_seconds(dbt.dateadd('month', whole ~ ' + 1', start_at)) ~ ' - ' ~ epoch_seconds(month_after)
                ) }}
        end
        as decimal(38, 6)
    )
{%- endmacro %}
