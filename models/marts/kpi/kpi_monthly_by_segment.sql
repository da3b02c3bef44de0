{#- MRR, ARR, logos and retention per month and company segment (smb, mid_market, enterprise, unknown). Every
    segment has a row every month; a segment without customers has NULL ratios with the reason. -#}
with segment_months as (

    select * from {{ ref('int_mrr__segment_monthly') }}

),

final as (

    select
        cast(month as date) as month,  -- noqa: RF04
        cast(segment as {{ dbt.type_string() }}) as segment,
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
        cast({{ safe_divide('churned_customers', 'opening_customers') }} as decimal(18, 6)) as logo_churn_rate,
        cast(
            case when opening_customers = 0 then 'no customers in the segment at the start of the month' end
            as {{ dbt.type_string() }}
        ) as logo_churn_rate_null_reason,
        -- retention against the opening base at this month's rates (opening_mrr + fx_mrr): constant currency
        cast(
            {{ safe_divide('opening_mrr + fx_mrr + contraction_mrr + churned_mrr', 'opening_mrr + fx_mrr') }}
            as decimal(18, 6)
        ) as grr,
        cast(
            {{ safe_divide(
                'opening_mrr + fx_mrr + expansion_mrr + contraction_mrr + churned_mrr', 'opening_mrr + fx_mrr'
            ) }}
            as decimal(18, 6)
        ) as nrr,
        cast(
            case when opening_mrr = 0 then 'no MRR in the segment at the start of the month' end
            as {{ dbt.type_string() }}
        ) as nrr_null_reason,
        cast({{ safe_divide('mrr', 'active_customers') }} as decimal(18, 2)) as arpa,
        cast(
            case when active_customers = 0 then 'no paying customers in the segment this month' end
            as {{ dbt.type_string() }}
        ) as arpa_null_reason
    from segment_months

)

select * from final
