{#- One row per marketing e-mail sent (a current HubSpot SENT event), with whether the recipient opened or
    clicked that campaign (an OPEN or CLICK event of the same campaign and normalised recipient).

    Incremental (DuckDB, PostgreSQL): a build recomputes only the (campaign, recipient) groups touched by events
    landed since the last build: the pre-hooks note those groups once in a helper table and delete their rows,
    the post-hook drops the helper table (macros/email_send_events.sql).
    A full reload of the raw table drops this model together with its parse model (revops load), so the next
    build rebuilds both in full. Spark keeps tables as Parquet (no delete): there it is a plain table. -#}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    unique_key='email_event_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook=[
        "{{ email_send_events_drop_touched_groups() }}",
        "{{ email_send_events_note_touched_groups() }}",
        "{{ email_send_events_forget_touched_groups() }}",
    ],
    post_hook="{{ email_send_events_drop_touched_groups() }}"
) }}
{#- On an incremental build only the campaigns of the touched groups are read (a daily export reaches a few
    of them): their addresses alone are normalised and joined below; scoped_events keeps their touched groups. #}
with email_events as (

    select * from {{ ref('stg_hubspot__email_event') }}
    where
        event_type in ('SENT', 'OPEN', 'CLICK')
        and {{ email_send_events_in_touched_campaigns('campaign_id') }}

),

recipients as (

    {#- each address as landed with its matching form: normalised once per distinct address (a few hundred
        thousand), not once per event (millions) #}
    select
        landed_email,
        {{ identity_normalise_email('landed_email') }} as recipient_email
    from (
        select distinct recipient_email as landed_email
        from email_events
    ) as landed

),

events as (

    select
        email_events.email_event_id,
        email_events.campaign_id,
        recipients.recipient_email,
        email_events.event_type,
        email_events.created_at
    from email_events
    left join recipients
        on email_events.recipient_email = recipients.landed_email

),

scoped_events as (

    {#- every event on a full build; on an incremental one, those of the touched groups -#}
    {{ email_send_events_in_touched_groups('events') }}

),

sends as (

    select
        email_event_id,
        campaign_id,
        recipient_email,
        created_at as sent_at
    from scoped_events
    where event_type = 'SENT'

),

responses as (

    select
        campaign_id,
        recipient_email,
        max(case when event_type in ('OPEN', 'CLICK') then 1 else 0 end) as is_opened,
        max(case when event_type = 'CLICK' then 1 else 0 end) as is_clicked
    from scoped_events
    where event_type in ('OPEN', 'CLICK')
    group by
        campaign_id,
        recipient_email

),

watermark as (

    select max(_source_row) as _events_through_row
    from {{ ref('base_hubspot__email_event') }}

),

final as (

    select
        sends.email_event_id,
        sends.campaign_id,
        sends.recipient_email,
        sends.sent_at,
        watermark._events_through_row,
        coalesce(responses.is_opened, 0) = 1 as is_opened,
        coalesce(responses.is_clicked, 0) = 1 as is_clicked
    from sends
    left join responses
        on
            sends.campaign_id = responses.campaign_id
            and sends.recipient_email = responses.recipient_email
    cross join watermark

)

select * from final
