{#- One row per marketing e-mail sent (HubSpot SENT event), with whether the recipient opened or clicked it and
    the local hour and weekday of the send at the recipient: recipient -> person (dim_contacts, by normalised
    e-mail) -> company (dim_customers: segment, country) -> time zone (seed country_timezones), daylight saving included.
    Sends whose recipient has no known country keep a NULL local time.
    A view: the send events (with their responses) are kept incrementally in int_playbooks__email_send_events;
    who the recipient is and where the company sits is looked up at read time, so a change in dim_contacts or
    dim_customers shows at once, and a build writes no 5 M-row table that only playbook_send_time reads. -#}
{{ config(materialized='view') }}

with send_events as (

    select * from {{ ref('int_playbooks__email_send_events') }}

),

contacts as (

    select * from {{ ref('dim_contacts') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

country_timezones as (

    select * from {{ ref('country_timezones') }}

),

recipient_companies as (

    select
        email,
        min(company_id) as company_id
    from contacts
    where email is not null and company_id is not null
    group by email

),

located as (

    select
        send_events.email_event_id,
        send_events.campaign_id,
        send_events.recipient_email,
        send_events.sent_at,
        recipient_companies.company_id,
        coalesce(customers.segment, 'unknown') as segment,
        country_timezones.country_code,
        country_timezones.time_zone,
        send_events.is_opened,
        send_events.is_clicked,
        {{ dbt.date_trunc('hour', 'send_events.sent_at') }} as sent_hour_utc
    from send_events
    left join recipient_companies
        on send_events.recipient_email = recipient_companies.email
    left join customers
        on recipient_companies.company_id = customers.company_id
    left join country_timezones
        on lower(trim(customers.country)) = country_timezones.country

),

-- each zone's UTC offset (daylight saving included) once per UTC hour that has sends, not once per send: the
-- zone database lookup costs about 1.4 s per million rows on DuckDB, a join on the hour almost nothing. A zone
-- keeps one offset through a UTC hour as long as its switches fall on whole UTC hours, as every zone of the
-- seed's do (a half-hour zone that switches at a half hour, such as America/St_Johns, would be an hour off
-- for the half hour after its switch).
zone_hours as (

    select
        time_zone,
        sent_hour_utc,
        {{ dbt.datediff('sent_hour_utc', utc_to_local('sent_hour_utc', 'time_zone'), 'minute') }}
            as utc_offset_minutes
    from (
        select distinct
            time_zone,
            sent_hour_utc
        from located
        where time_zone is not null
    ) as zone_hour_keys

),

localised as (

    select
        located.*,
        {{ dbt.dateadd('minute', 'zone_hours.utc_offset_minutes', 'located.sent_at') }} as sent_at_local
    from located
    left join zone_hours
        on
            located.time_zone = zone_hours.time_zone
            and located.sent_hour_utc = zone_hours.sent_hour_utc

),

final as (

    select
        email_event_id,
        campaign_id,
        recipient_email,
        company_id,
        segment,
        country_code,
        time_zone,
        sent_at,
        sent_at_local,
        cast(extract(hour from sent_at_local) as integer) as local_hour,
        {{ iso_weekday('sent_at_local') }} as local_weekday,
        is_opened,
        is_clicked
    from localised

)

select * from final
