{#- The MRR bridge: for every month, the movements (new + expansion + contraction + churn + reactivation) and
    the FX effect (fx_column, when given) add up exactly to the change in total MRR since the month before.
    Fails with one row per unbalanced month. A month with a row whose MRR is unknown (mrr NULL: fct_mrr's
    `unconverted`), or whose month before has one, is not checked: that company's MRR is in neither total, and its
    next converted month moves from its last converted MRR (the ledger's unit tests check that per company). -#}
{% test mrr_bridge_balances(model, month_column='month', mrr_column='mrr', movement_column='movement_amount',
    fx_column=none) %}

with totals as (

    select
        {{ month_column }} as month_start,
        sum({{ mrr_column }}) as total_mrr,
        sum({{ movement_column }}{% if fx_column %} + {{ fx_column }}{% endif %}) as total_movement,
        count(*) - count({{ mrr_column }}) as unconverted_rows
    from {{ model }}
    group by {{ month_column }}

),

compared as (

    select
        current_month.month_start,
        current_month.total_mrr,
        coalesce(previous_month.total_mrr, 0) as previous_total_mrr,
        current_month.total_movement,
        current_month.unconverted_rows + coalesce(previous_month.unconverted_rows, 0) as unconverted_rows
    from totals as current_month
    left join totals as previous_month
        on previous_month.month_start = cast({{ dbt.dateadd('month', '-1', 'current_month.month_start') }} as date)

)

select *
from compared
where
    unconverted_rows = 0
    and total_movement <> total_mrr - previous_total_mrr

{% endtest %}
