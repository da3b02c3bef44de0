{#- The close date of every opportunity, as the sales marts and the forecast bucket it (one rule, one place):
    a closed deal's is when it closed: the CRM's close date, unless it is missing or later than the row's export
    (future_limit: its _loaded_at plus the clock-skew allowance); then the day its stage last became closed
    (stage history: the first closed state after its last open one, so a deal reopened and closed again closed
    the second time and an edit of a closed deal's amount does not move its close), else its last change. An open
    deal's close date is the expected one, future or not.

    Returns a select of (opportunity_id, close_date), one row per opportunity of `opportunities` (CTE or relation
    with stg_salesforce__opportunity's columns), reading `intervals` (int_opportunity_history__intervals). -#}
{% macro opportunity_close_dates(opportunities, intervals) -%}
    select
        {{ opportunities }}.opportunity_id,
        case
            when
                {{ opportunities }}.is_closed
                and (
                    {{ opportunities }}.close_date is null
                    or {{ opportunities }}.close_date
                    > cast({{ future_limit(opportunities ~ '._loaded_at') }} as date)
                )
                then coalesce(
                    cast(closed_stages.closed_stage_at as date),
                    cast({{ opportunities }}.last_modified_at as date),
                    {{ opportunities }}.close_date
                )
            else {{ opportunities }}.close_date
        end as close_date
    from {{ opportunities }}
    left join (
        select
            closed_states.opportunity_id,
            min(closed_states.valid_from_at) as closed_stage_at
        from {{ intervals }} as closed_states
        left join (
            select
                opportunity_id,
                max(state_number) as last_open_state
            from {{ intervals }}
            where not is_closed_stage
            group by opportunity_id
        ) as last_open_states
            on closed_states.opportunity_id = last_open_states.opportunity_id
        where
            closed_states.is_closed_stage
            and closed_states.state_number > coalesce(last_open_states.last_open_state, 0)
        group by closed_states.opportunity_id
    ) as closed_stages
        on {{ opportunities }}.opportunity_id = closed_stages.opportunity_id
{%- endmacro %}
