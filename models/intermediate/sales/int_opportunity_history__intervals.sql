{#- Every state an opportunity was in (a stage_history row: stage, forecast category, amount, close date) with the
    time it held: [valid_from_at, valid_to_at). The last state of an open opportunity is open-ended (NULL). -#}
with history as (

    select * from {{ ref('stg_salesforce__opportunity_history') }}

),

opportunities as (

    select * from {{ ref('stg_salesforce__opportunity') }}

),

ordered as (

    select
        history.opportunity_history_id,
        history.opportunity_id,
        history.stage_name,
        history.forecast_category,
        history.acv_amount,
        opportunities.currency,
        history.close_date,
        history.changed_at as valid_from_at,
        lead(history.changed_at) over (
            partition by history.opportunity_id
            order by history.changed_at, history.opportunity_history_id
        ) as valid_to_at,
        row_number() over (
            partition by history.opportunity_id
            order by history.changed_at, history.opportunity_history_id
        ) as state_number
    from history
    inner join opportunities
        on history.opportunity_id = opportunities.opportunity_id

),

final as (

    select
        opportunity_history_id,
        opportunity_id,
        state_number,
        stage_name,
        forecast_category,
        acv_amount,
        currency,
        close_date,
        valid_from_at,
        valid_to_at,
        stage_name in ('Closed Won', 'Closed Lost') as is_closed_stage,
        case
            when valid_to_at is not null
                then cast(
                    {{ dbt.datediff('valid_from_at', 'valid_to_at', 'second') }} as {{ type_double() }}  -- noqa: LT05
                ) / 86400
        end as days_in_state
    from ordered

)

select * from final
