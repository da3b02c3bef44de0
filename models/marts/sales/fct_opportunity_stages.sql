{#- The stage history of every opportunity: one row per state it was in, with how long it stayed. -#}
with intervals as (

    select * from {{ ref('int_opportunity_history__intervals') }}

),

final as (

    select
        cast(opportunity_history_id as {{ dbt.type_string() }}) as opportunity_history_id,
        cast(opportunity_id as {{ dbt.type_string() }}) as opportunity_id,
        cast(state_number as integer) as state_number,
        cast(stage_name as {{ dbt.type_string() }}) as stage_name,
        cast(forecast_category as {{ dbt.type_string() }}) as forecast_category,
        cast(acv_amount as decimal(18, 2)) as acv_amount,
        cast(currency as {{ dbt.type_string() }}) as currency,
        close_date,
        valid_from_at,
        valid_to_at,
        is_closed_stage,
        cast(days_in_state as decimal(18, 2)) as days_in_state
    from intervals

)

select * from final
