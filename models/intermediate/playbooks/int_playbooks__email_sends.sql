{#- One row per marketing e-mail sent (HubSpot SENT event), with whether the recipient opened or clicked it and
    the local hour and weekday of the send at the recipient: recipient -> person (dim_contacts, by normalised
    e-mail) -> company (dim_customers: segment, country) -> time zone (seed country_timezones, standard offset).
    Sends whose recipient has no known country keep a NULL local time. -#}
with email_events as (

    select * from {{ ref('stg_hubspot__email_event') }}

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

sends as (

    select
        email_event_id,
        campaign_id,
        {{ identity_normalise_email('recipient_email') }} as recipient_email,
        created_at as sent_at
    from email_events
    where event_type = 'SENT'

),

responses as (

    select
        campaign_id,
        {{ identity_normalise_email('recipient_email') }} as recipient_email,
        max(case when event_type in ('OPEN', 'CLICK') then 1 else 0 end) as is_opened,
        max(case when event_type = 'CLICK' then 1 else 0 end) as is_clicked
    from email_events
    where event_type in ('OPEN', 'CLICK')
    group by
        campaign_id,
        {{ identity_normalise_email('recipient_email') }}

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
        sends.email_event_id,
        sends.campaign_id,
        sends.recipient_email,
        sends.sent_at,
        recipient_companies.company_id,
        coalesce(customers.segment, 'unknown') as segment,
        country_timezones.country_code,
        country_timezones.time_zone,
        country_timezones.utc_offset_minutes,
        coalesce(responses.is_opened, 0) = 1 as is_opened,
        coalesce(responses.is_clicked, 0) = 1 as is_clicked,
        {{ dbt.dateadd('minute', 'country_timezones.utc_offset_minutes', 'sends.sent_at') }} as sent_at_local
    from sends
    left join responses
        on
            sends.campaign_id = responses.campaign_id
            and sends.recipient_email = responses.recipient_email
    left join recipient_companies
        on sends.recipient_email = recipient_companies.email
    left join customers
        on recipient_companies.company_id = customers.company_id
    left join country_timezones
        on lower(trim(customers.country)) = country_timezones.country

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
    from located

)

select * from final
