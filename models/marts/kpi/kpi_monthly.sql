{#- One row per month, one column per KPI (reporting currency): every month from the first with a ledger row,
    acquisition spend or a closed deal of any type (spend and deals often come before the first paying customer;
    their CAC and win rate count) to the ledger's last month. Formulas, grain and edge cases: models/marts/kpi/_kpi__docs.md. A
    ratio whose denominator is 0 is NULL and its *_null_reason says why. -#}
with segment_months as (

    select * from {{ ref('int_mrr__segment_monthly') }}

),

sales as (

    select * from {{ ref('int_sales__monthly') }}

),

spend as (

    select * from {{ ref('int_acquisition_spend__monthly') }}

),

trailing_retention as (

    select * from {{ ref('int_mrr__trailing_retention') }}

),

-- the months with activity: the ledger's, and those with acquisition spend or a closed deal
activity_months as (

    select
        month,
        1 as is_ledger_month
    from segment_months

    union all

    select
        month,
        0 as is_ledger_month
    from spend
    where paid_media_spend <> 0 or sales_marketing_expense <> 0

    union all

    select
        month,
        0 as is_ledger_month
    from sales
    -- an upsell won before the first paying month counts too: its ACV is the month's forecast accuracy
    where won_deals + lost_deals + renewals_closed > 0 or closed_won_acv <> 0

),

-- from the first month with activity to the ledger's last month (spend or deals after it are not yet reported)
kpi_span as (

    select
        min(month) as first_month,
        max(case when is_ledger_month = 1 then month end) as last_month
    from activity_months

),

months as (

    select month_start as month  -- noqa: RF04
    from (
        {{ month_spine('(select first_month from kpi_span)', '(select last_month from kpi_span)') | indent(8) }}
    ) as spine

),

-- a month before the ledger's first has no segment rows: its MRR and logos are 0
revenue as (

    select
        months.month,
        coalesce(sum(segment_months.mrr), 0) as mrr,
        coalesce(sum(segment_months.opening_mrr), 0) as opening_mrr,
        coalesce(sum(segment_months.new_mrr), 0) as new_mrr,
        coalesce(sum(segment_months.expansion_mrr), 0) as expansion_mrr,
        coalesce(sum(segment_months.contraction_mrr), 0) as contraction_mrr,
        coalesce(sum(segment_months.churned_mrr), 0) as churned_mrr,
        coalesce(sum(segment_months.reactivation_mrr), 0) as reactivation_mrr,
        coalesce(sum(segment_months.fx_mrr), 0) as fx_mrr,
        coalesce(sum(segment_months.active_customers), 0) as active_customers,
        coalesce(sum(segment_months.opening_customers), 0) as opening_customers,
        coalesce(sum(segment_months.new_customers), 0) as new_customers,
        coalesce(sum(segment_months.churned_customers), 0) as churned_customers,
        coalesce(sum(segment_months.reactivated_customers), 0) as reactivated_customers,
        coalesce(sum(segment_months.expanded_customers), 0) as expanded_customers
    from months
    left join segment_months
        on months.month = segment_months.month
    group by months.month

),

spend_by_month as (

    select
        month,
        sum(paid_media_spend) as paid_media_spend,
        sum(sales_marketing_expense) as sales_marketing_expense
    from spend
    group by month

),

joined as (

    select
        revenue.*,
        trailing_retention.retained_mrr as trailing_retained_mrr,
        trailing_retention.gross_retained_mrr as trailing_gross_retained_mrr,
        -- the opening base at this month's rates (what the constant-currency movements are measured against)
        revenue.opening_mrr + revenue.fx_mrr as retention_base_mrr,
        coalesce(spend_by_month.paid_media_spend, 0) as paid_media_spend,
        coalesce(spend_by_month.paid_media_spend, 0) + coalesce(spend_by_month.sales_marketing_expense, 0)
            as fully_loaded_spend,
        coalesce(sales.won_deals, 0) as won_deals,
        coalesce(sales.won_deals_with_acv, 0) as won_deals_with_acv,
        coalesce(sales.lost_deals, 0) as lost_deals,
        coalesce(sales.won_acv, 0) as won_acv,
        coalesce(sales.lost_acv, 0) as lost_acv,
        coalesce(sales.won_cycle_days, 0) as won_cycle_days,
        coalesce(sales.open_deals, 0) as open_deals,
        coalesce(sales.renewals_won, 0) as renewals_won,
        coalesce(sales.renewals_closed, 0) as renewals_closed,
        coalesce(sales.forecast_commit, 0) as forecast_commit,
        coalesce(sales.forecast_best_case, 0) as forecast_best_case,
        coalesce(sales.closed_won_acv, 0) as closed_won_acv,
        coalesce(trailing_retention.cohort_mrr, 0) as trailing_cohort_mrr,
        coalesce(trailing_retention.unconverted_customers, 0) as trailing_unconverted_customers
    from revenue
    left join spend_by_month
        on revenue.month = spend_by_month.month
    left join sales
        on revenue.month = sales.month
    left join trailing_retention
        on revenue.month = trailing_retention.month

),

ratios as (

    select
        *,
        {{ safe_divide('churned_customers', 'opening_customers') }} as logo_churn_rate,
        {{ safe_divide('retention_base_mrr + contraction_mrr + churned_mrr', 'retention_base_mrr') }} as grr,
        {{ safe_divide(
            'retention_base_mrr + expansion_mrr + contraction_mrr + churned_mrr', 'retention_base_mrr'
        ) }} as nrr,
        {{ safe_divide('-1 * (contraction_mrr + churned_mrr)', 'retention_base_mrr') }} as revenue_churn_rate,
        {{ safe_divide('trailing_retained_mrr', 'trailing_cohort_mrr') }} as nrr_trailing_12m,
        {{ safe_divide('trailing_gross_retained_mrr', 'trailing_cohort_mrr') }} as grr_trailing_12m,
        {{ safe_divide('mrr', 'active_customers') }} as arpa,
        {{ safe_divide('paid_media_spend', 'new_customers') }} as cac_paid_media,
        {{ safe_divide('fully_loaded_spend', 'new_customers') }} as cac_fully_loaded,
        {{ safe_divide('new_mrr', 'new_customers') }} as new_mrr_per_new_customer,
        {{ safe_divide('won_deals', 'won_deals + lost_deals') }} as win_rate_count,
        {{ safe_divide('won_acv', 'won_acv + lost_acv') }} as win_rate_value,
        {{ safe_divide('won_acv', 'won_deals_with_acv') }} as average_deal_size,
        {{ safe_divide('won_cycle_days', 'won_deals') }} as sales_cycle_days,
        {{ safe_divide('expanded_customers', 'opening_customers') }} as upsell_rate,
        {{ safe_divide('renewals_won', 'renewals_closed') }} as renewal_rate,
        1 - {{ safe_divide('abs(closed_won_acv - forecast_commit)', 'closed_won_acv') }} as forecast_accuracy_commit,
        1 - {{ safe_divide('abs(closed_won_acv - forecast_best_case)', 'closed_won_acv') }}
            as forecast_accuracy_best_case
    from joined

),

derived as (

    select
        *,
        {{ safe_divide('arpa * ' ~ var('kpi_gross_margin'), 'revenue_churn_rate') }} as ltv,
        {{ safe_divide('cac_fully_loaded', 'new_mrr_per_new_customer * ' ~ var('kpi_gross_margin')) }}
            as cac_payback_months,
        {{ safe_divide('open_deals * win_rate_count * average_deal_size', 'sales_cycle_days') }} as pipeline_velocity
    from ratios

),

final as (

    select
        cast(month as date) as month,  -- noqa: RF04
        cast(mrr as decimal(18, 2)) as mrr,
        cast(mrr * 12 as decimal(18, 2)) as arr,
        cast(opening_mrr as decimal(18, 2)) as opening_mrr,
        cast(new_mrr as decimal(18, 2)) as new_mrr,
        cast(expansion_mrr as decimal(18, 2)) as expansion_mrr,
        cast(contraction_mrr as decimal(18, 2)) as contraction_mrr,
        cast(churned_mrr as decimal(18, 2)) as churned_mrr,
        cast(reactivation_mrr as decimal(18, 2)) as reactivation_mrr,
        cast(fx_mrr as decimal(18, 2)) as fx_mrr,
        cast(active_customers as integer) as active_customers,
        cast(opening_customers as integer) as opening_customers,
        cast(new_customers as integer) as new_customers,
        cast(churned_customers as integer) as churned_customers,
        cast(reactivated_customers as integer) as reactivated_customers,
        cast(logo_churn_rate as decimal(18, 6)) as logo_churn_rate,
        cast(
            case when opening_customers = 0 then 'no customers at the start of the month' end
            as {{ dbt.type_string() }}
        ) as logo_churn_rate_null_reason,
        cast(grr as decimal(18, 6)) as grr,
        cast(nrr as decimal(18, 6)) as nrr,
        cast(case when opening_mrr = 0 then 'no MRR at the start of the month' end as {{ dbt.type_string() }})
            as nrr_null_reason,
        cast(nrr_trailing_12m as decimal(18, 6)) as nrr_trailing_12m,
        cast(grr_trailing_12m as decimal(18, 6)) as grr_trailing_12m,
        cast(
            case
                when trailing_cohort_mrr = 0 and trailing_unconverted_customers > 0
                    then 'no FX rate of the month converts the currencies of those paying twelve months before'
                when trailing_cohort_mrr = 0 then 'no paying customers twelve months before'
            end as {{ dbt.type_string() }}
        ) as trailing_12m_null_reason,
        cast(revenue_churn_rate as decimal(18, 6)) as revenue_churn_rate,
        cast(arpa as decimal(18, 2)) as arpa,
        cast(case when active_customers = 0 then 'no paying customers this month' end as {{ dbt.type_string() }})
            as arpa_null_reason,
        cast(ltv as decimal(18, 2)) as ltv,
        cast(
            case
                when active_customers = 0 then 'no paying customers this month'
                when opening_mrr = 0 then 'no MRR at the start of the month'
                when revenue_churn_rate = 0 then 'no revenue churn this month (lifetime unbounded)'
                when revenue_churn_rate < 0 then 'negative revenue churn (lifetime unbounded)'
            end as {{ dbt.type_string() }}
        ) as ltv_null_reason,
        cast(paid_media_spend as decimal(18, 2)) as paid_media_spend,
        cast(fully_loaded_spend as decimal(18, 2)) as fully_loaded_spend,
        cast(cac_paid_media as decimal(18, 2)) as cac_paid_media,
        cast(cac_fully_loaded as decimal(18, 2)) as cac_fully_loaded,
        cast(case when new_customers = 0 then 'no new customers this month' end as {{ dbt.type_string() }})
            as cac_null_reason,
        cast(cac_payback_months as decimal(18, 6)) as cac_payback_months,
        cast(
            case
                when new_customers = 0 then 'no new customers this month'
                when new_mrr = 0 then 'no new MRR this month'
            end as {{ dbt.type_string() }}
        ) as cac_payback_months_null_reason,
        cast({{ safe_divide('ltv', 'cac_fully_loaded') }} as decimal(18, 6)) as ltv_to_cac,
        cast(
            case
                when ltv is null then 'LTV undefined (see ltv_null_reason)'
                when new_customers = 0 then 'no new customers this month'
                when fully_loaded_spend = 0 then 'no acquisition spend this month'
            end as {{ dbt.type_string() }}
        ) as ltv_to_cac_null_reason,
        cast(won_deals as integer) as won_deals,
        cast(lost_deals as integer) as lost_deals,
        cast(win_rate_count as decimal(18, 6)) as win_rate_count,
        cast(win_rate_value as decimal(18, 6)) as win_rate_value,
        cast(
            case when won_deals + lost_deals = 0 then 'no new-business deals closed this month' end
            as {{ dbt.type_string() }}
        ) as win_rate_null_reason,
        cast(
            case
                when won_deals + lost_deals = 0 then 'no new-business deals closed this month'
                when won_acv + lost_acv = 0 then 'no new-business deal closed this month has an ACV'
            end as {{ dbt.type_string() }}
        ) as win_rate_value_null_reason,
        cast(average_deal_size as decimal(18, 2)) as average_deal_size,
        cast(sales_cycle_days as decimal(18, 6)) as sales_cycle_days,
        cast(
            case
                when won_deals = 0 then 'no new-business deals won this month'
                when won_deals_with_acv = 0 then 'no new-business deal won this month has an ACV (average deal size)'
            end as {{ dbt.type_string() }}
        ) as deal_null_reason,
        cast(open_deals as integer) as open_deals,
        cast(pipeline_velocity as decimal(18, 2)) as pipeline_velocity,
        cast(
            case
                when won_deals = 0 then 'no new-business deals won this month'
                when won_deals_with_acv = 0 then 'no new-business deal won this month has an ACV'
                when sales_cycle_days = 0 then 'sales cycle of 0 days'
            end as {{ dbt.type_string() }}
        ) as pipeline_velocity_null_reason,
        cast(upsell_rate as decimal(18, 6)) as upsell_rate,
        cast(
            case when opening_customers = 0 then 'no customers at the start of the month' end
            as {{ dbt.type_string() }}
        ) as upsell_rate_null_reason,
        cast(renewal_rate as decimal(18, 6)) as renewal_rate,
        cast(case when renewals_closed = 0 then 'no renewals closed this month' end as {{ dbt.type_string() }})
            as renewal_rate_null_reason,
        cast(forecast_commit as decimal(18, 2)) as forecast_commit,
        cast(forecast_best_case as decimal(18, 2)) as forecast_best_case,
        cast(closed_won_acv as decimal(18, 2)) as closed_won_acv,
        cast(forecast_accuracy_commit as decimal(18, 6)) as forecast_accuracy_commit,
        cast(forecast_accuracy_best_case as decimal(18, 6)) as forecast_accuracy_best_case,
        cast(case when closed_won_acv = 0 then 'nothing closed won this month' end as {{ dbt.type_string() }})
            as forecast_accuracy_null_reason
    from derived

)

select * from final
