{#- When to send offers: for each segment (and 'all'), every local send hour and weekday with its sends, the
    share opened and clicked, and its rank; is_best marks the slot to use. Slots with fewer than
    var playbook_send_time_min_sends sends are flagged thin evidence and ranked after every well-measured slot.
    Opens and clicks are credited to the send they answer (same campaign and recipient), at the send's local
    time, so the rate is a response rate per send slot. Sends without a known recipient country are left out. -#}
with sends as (

    select * from {{ ref('int_playbooks__email_sends') }}

),

located_sends as (

    select
        segment,
        local_hour,
        local_weekday,
        case when is_opened then 1 else 0 end as opened,
        case when is_clicked then 1 else 0 end as clicked
    from sends
    where local_hour is not null

),

segmented as (

    select
        segment,
        local_hour,
        local_weekday,
        opened,
        clicked
    from located_sends
    union all
    select
        'all' as segment,
        local_hour,
        local_weekday,
        opened,
        clicked
    from located_sends

),

slots as (

    select
        segment,
        'hour' as slot_type,
        local_hour as slot,
        count(*) as sends,
        sum(opened) as opened_sends,
        sum(clicked) as clicked_sends
    from segmented
    group by
        segment,
        local_hour
    union all
    select
        segment,
        'weekday' as slot_type,
        local_weekday as slot,
        count(*) as sends,
        sum(opened) as opened_sends,
        sum(clicked) as clicked_sends
    from segmented
    group by
        segment,
        local_weekday

),

rated as (

    select
        segment,
        slot_type,
        slot,
        sends,
        opened_sends,
        clicked_sends,
        cast(opened_sends as {{ type_double() }}) / sends as open_rate,
        cast(clicked_sends as {{ type_double() }}) / sends as click_rate,
        sends < {{ var('playbook_send_time_min_sends') }} as is_thin_evidence
    from slots

),

ranked as (

    select
        *,
        row_number() over (
            partition by segment, slot_type
            order by case when is_thin_evidence then 1 else 0 end asc, open_rate desc, click_rate desc, slot asc
        ) as slot_rank
    from rated

),

final as (

    select
        {{ dbt.concat(['segment', "'|'", 'slot_type', "'|'", "cast(slot as varchar(2))"]) }} as send_time_slot_id,
        cast(segment as {{ dbt.type_string() }}) as segment,
        cast(slot_type as {{ dbt.type_string() }}) as slot_type,
        cast(slot as integer) as slot,
        cast(
            case
                when slot_type = 'hour'
                    then {{ dbt.right("'0' || " ~ dbt.cast('slot', dbt.type_string()), '2') }} || ':00'
                when slot = 1 then 'Monday'
                when slot = 2 then 'Tuesday'
                when slot = 3 then 'Wednesday'
                when slot = 4 then 'Thursday'
                when slot = 5 then 'Friday'
                when slot = 6 then 'Saturday'
                else 'Sunday'
            end as {{ dbt.type_string() }}
        ) as slot_label,
        cast(sends as integer) as sends,
        cast(opened_sends as integer) as opened_sends,
        cast(clicked_sends as integer) as clicked_sends,
        cast(open_rate as decimal(10, 6)) as open_rate,
        cast(click_rate as decimal(10, 6)) as click_rate,
        is_thin_evidence,
        cast(slot_rank as integer) as slot_rank,
        slot_rank = 1 and not is_thin_evidence as is_best
    from ranked

)

select * from final
