{#- The MRR bridge and logo counts per month and segment, on a full month x segment grid (a segment without
    customers in a month still has a row, with zeros; so does a month inside the ledger's span in which no company
    has a ledger row at all), from fct_mrr. The KPI marts compute ratios from it.
    Each company is in its current segment in every month: the sources have no headcount history. -#}
{%- set segments = ['smb', 'mid_market', 'enterprise', 'unknown'] -%}
with mrr as (

    select * from {{ ref('fct_mrr') }}

),

companies as (

    select * from {{ ref('int_billing_customers__companies') }}

),

company_segments as (

    select
        company_id,
        max(segment) as segment
    from companies
    group by company_id

),

months as (

    select month_start as month  -- noqa: RF04
    from (
        {{ month_spine('(select min(month) from mrr)', '(select max(month) from mrr)') | indent(8) }}
    ) as spine

),

segments as (

    {%- for segment in segments %}
        select '{{ segment }}' as segment{% if not loop.last %}
            union all{% endif %}
    {%- endfor %}

),

grid as (

    select
        months.month,
        segments.segment
    from months
    cross join segments

),

ledger as (

    select
        mrr.month,
        mrr.mrr,
        mrr.movement,
        mrr.movement_amount,
        mrr.fx_amount,
        coalesce(company_segments.segment, 'unknown') as segment,
        mrr.mrr - mrr.movement_amount - mrr.fx_amount as opening_mrr
    from mrr
    left join company_segments
        on mrr.company_id = company_segments.company_id

),

aggregated as (

    select
        month,
        segment,
        sum(mrr) as mrr,
        sum(opening_mrr) as opening_mrr,
        sum(case when movement = 'new' then movement_amount else 0 end) as new_mrr,
        sum(case when movement = 'expansion' then movement_amount else 0 end) as expansion_mrr,
        sum(case when movement = 'contraction' then movement_amount else 0 end) as contraction_mrr,
        sum(case when movement = 'churn' then movement_amount else 0 end) as churned_mrr,
        sum(case when movement = 'reactivation' then movement_amount else 0 end) as reactivation_mrr,
        sum(fx_amount) as fx_mrr,
        sum(case when mrr > 0 then 1 else 0 end) as active_customers,
        sum(case when opening_mrr > 0 then 1 else 0 end) as opening_customers,
        sum(case when movement = 'new' then 1 else 0 end) as new_customers,
        sum(case when movement = 'churn' then 1 else 0 end) as churned_customers,
        sum(case when movement = 'reactivation' then 1 else 0 end) as reactivated_customers,
        sum(case when movement = 'expansion' then 1 else 0 end) as expanded_customers
    from ledger
    group by
        month,
        segment

),

final as (

    select
        grid.month,
        grid.segment,
        cast(coalesce(aggregated.mrr, 0) as decimal(18, 2)) as mrr,
        cast(coalesce(aggregated.opening_mrr, 0) as decimal(18, 2)) as opening_mrr,
        cast(coalesce(aggregated.new_mrr, 0) as decimal(18, 2)) as new_mrr,
        cast(coalesce(aggregated.expansion_mrr, 0) as decimal(18, 2)) as expansion_mrr,
        cast(coalesce(aggregated.contraction_mrr, 0) as decimal(18, 2)) as contraction_mrr,
        cast(coalesce(aggregated.churned_mrr, 0) as decimal(18, 2)) as churned_mrr,
        cast(coalesce(aggregated.reactivation_mrr, 0) as decimal(18, 2)) as reactivation_mrr,
        cast(coalesce(aggregated.fx_mrr, 0) as decimal(18, 2)) as fx_mrr,
        cast(coalesce(aggregated.active_customers, 0) as {{ dbt.type_bigint() }}) as active_customers,
        cast(coalesce(aggregated.opening_customers, 0) as {{ dbt.type_bigint() }}) as opening_customers,
        cast(coalesce(aggregated.new_customers, 0) as {{ dbt.type_bigint() }}) as new_customers,
        cast(coalesce(aggregated.churned_customers, 0) as {{ dbt.type_bigint() }}) as churned_customers,
        cast(coalesce(aggregated.reactivated_customers, 0) as {{ dbt.type_bigint() }}) as reactivated_customers,
        cast(coalesce(aggregated.expanded_customers, 0) as {{ dbt.type_bigint() }}) as expanded_customers
    from grid
    left join aggregated
        on
            grid.month = aggregated.month
            and grid.segment = aggregated.segment

)

select * from final
