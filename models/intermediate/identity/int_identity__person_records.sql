{#- Every person-like source record in one shape: the input of person resolution. source_rank orders the
    systems for anchors and survivorship (lower wins). email_match_key is what exact-email matching compares:
    the normalised email without a +tag (jane+webinar@ is jane@), except that a role address (info@, sales@:
    a mailbox several people share) of a record that names someone also carries the name, so two people
    entered with one generic mailbox are not merged by it (the same name at it still is; records with the
    mailbox and no name are one person). An address at a placeholder domain (unknown@unknown.com: seed
    identity_placeholder_domains) has no email_match_key: it is no evidence. -#}
with

sf_contacts as (select * from {{ ref('stg_salesforce__contact') }}),

sf_leads as (select * from {{ ref('stg_salesforce__lead') }}),

sf_opportunities as (select * from {{ ref('stg_salesforce__opportunity') }}),

sf_accounts as (select * from {{ ref('stg_salesforce__account') }}),

hs_contacts as (select * from {{ ref('stg_hubspot__contact') }}),

hs_forms as (select * from {{ ref('stg_hubspot__form_submission') }}),

hs_events as (select * from {{ ref('stg_hubspot__event_attendance') }}),

stripe_customers as (select * from {{ ref('stg_stripe__customer') }}),

zd_users as (select * from {{ ref('stg_zendesk__user') }}),

zd_nps as (select * from {{ ref('stg_zendesk__nps_response') }}),

role_locals as (select local_part from {{ ref('identity_role_local_parts') }}),

placeholder_domains as (select domain from {{ ref('identity_placeholder_domains') }}),

zd_user_names as (

    -- Zendesk keeps one name: "First Last" (the last word is the last name), or "Last, First" as directories
    -- write it; after a comma that follows a full name comes a suffix ("Ann Lee, PhD"), which is dropped
    select
        user_id,
        email,
        organization_id,
        nullif(trim(split_part(user_name, ',', 1)), '') as before_comma,
        nullif(trim(split_part(user_name, ',', 2)), '') as after_comma
    from zd_users

),

zd_user_parts as (

    select
        user_id,
        email,
        organization_id,
        case
            when before_comma is null or (before_comma not like '% %' and after_comma is not null) then after_comma
            when before_comma like '% %' then trim(regexp_replace(before_comma, ' +[^ ]+$', ''))
            else before_comma
        end as first_name,
        case
            when before_comma not like '% %' and after_comma is not null then before_comma
            when before_comma like '% %' then trim(regexp_replace(before_comma, '^.* ', ''))
        end as last_name
    from zd_user_names

),

unioned as (

    select
        'salesforce' as source_system,
        'contact' as source_table,
        c.contact_id as source_id,
        1 as source_rank,
        c.email,
        trim(c.first_name) as first_name,
        trim(c.last_name) as last_name,
        c.phone,
        cast(null as {{ dbt.type_string() }}) as company_name,
        c.account_id as salesforce_account_id,
        cast(null as {{ dbt.type_string() }}) as zendesk_organization_id,
        a.billing_country as country_hint,
        c.title,
        cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
        c.created_at as record_created_at,
        coalesce(c.last_modified_at, c.created_at) as record_updated_at,
        coalesce(c.is_deleted, false) as is_deleted
    from sf_contacts as c
    left join sf_accounts as a on c.account_id = a.account_id

    union all

    select
        'salesforce' as source_system,
        'lead' as source_table,
        l.lead_id as source_id,
        2 as source_rank,
        l.email,
        trim(l.first_name) as first_name,
        trim(l.last_name) as last_name,
        l.phone,
        l.company_name,
        cast(null as {{ dbt.type_string() }}) as salesforce_account_id,
        cast(null as {{ dbt.type_string() }}) as zendesk_organization_id,
        cast(null as {{ dbt.type_string() }}) as country_hint,
        cast(null as {{ dbt.type_string() }}) as title,
        -- lead, converted, or converted with a deal that was not deleted (HubSpot's stage of the person may be
        -- further)
        {{ crm_lead_lifecycle_stage(
            'l.is_converted', 'l.converted_opportunity_id', opportunity_is_deleted='o.is_deleted'
        ) }} as lifecycle_stage,
        l.created_at as record_created_at,
        l.created_at as record_updated_at,
        coalesce(l.is_deleted, false) as is_deleted
    from sf_leads as l
    left join sf_opportunities as o on l.converted_opportunity_id = o.opportunity_id

    union all

    select
        'hubspot' as source_system,
        'contact' as source_table,
        contact_id as source_id,
        3 as source_rank,
        email,
        trim(first_name) as first_name,
        trim(last_name) as last_name,
        phone,
        company_name,
        cast(null as {{ dbt.type_string() }}) as salesforce_account_id,
        cast(null as {{ dbt.type_string() }}) as zendesk_organization_id,
        cast(null as {{ dbt.type_string() }}) as country_hint,
        cast(null as {{ dbt.type_string() }}) as title,
        lifecycle_stage,
        created_at as record_created_at,
        coalesce(updated_at, created_at) as record_updated_at,
        false as is_deleted
    from hs_contacts

    union all

    select
        'stripe' as source_system,
        'customer' as source_table,
        customer_id as source_id,
        4 as source_rank,
        email,
        cast(null as {{ dbt.type_string() }}) as first_name,
        cast(null as {{ dbt.type_string() }}) as last_name,
        cast(null as {{ dbt.type_string() }}) as phone,
        customer_name as company_name,
        salesforce_account_id,
        cast(null as {{ dbt.type_string() }}) as zendesk_organization_id,
        cast(null as {{ dbt.type_string() }}) as country_hint,
        cast(null as {{ dbt.type_string() }}) as title,
        cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
        created_at as record_created_at,
        created_at as record_updated_at,
        coalesce(is_deleted, false) as is_deleted
    from stripe_customers

    union all

    select
        'zendesk' as source_system,
        'user' as source_table,
        user_id as source_id,
        5 as source_rank,
        email,
        first_name,
        last_name,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_string() }}) as company_name,
        cast(null as {{ dbt.type_string() }}) as salesforce_account_id,
        organization_id as zendesk_organization_id,
        cast(null as {{ dbt.type_string() }}) as country_hint,
        cast(null as {{ dbt.type_string() }}) as title,
        cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
        cast(null as timestamp) as record_created_at,
        cast(null as timestamp) as record_updated_at,
        false as is_deleted
    from zd_user_parts

    union all

    select
        'hubspot' as source_system,
        'form_submission' as source_table,
        form_submission_id as source_id,
        6 as source_rank,
        email,
        cast(null as {{ dbt.type_string() }}) as first_name,
        cast(null as {{ dbt.type_string() }}) as last_name,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_string() }}) as company_name,
        cast(null as {{ dbt.type_string() }}) as salesforce_account_id,
        cast(null as {{ dbt.type_string() }}) as zendesk_organization_id,
        cast(null as {{ dbt.type_string() }}) as country_hint,
        cast(null as {{ dbt.type_string() }}) as title,
        cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
        submitted_at as record_created_at,
        submitted_at as record_updated_at,
        false as is_deleted
    from hs_forms

    union all

    select
        'hubspot' as source_system,
        'event_attendance' as source_table,
        event_attendance_id as source_id,
        7 as source_rank,
        email,
        cast(null as {{ dbt.type_string() }}) as first_name,
        cast(null as {{ dbt.type_string() }}) as last_name,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_string() }}) as company_name,
        cast(null as {{ dbt.type_string() }}) as salesforce_account_id,
        cast(null as {{ dbt.type_string() }}) as zendesk_organization_id,
        cast(null as {{ dbt.type_string() }}) as country_hint,
        cast(null as {{ dbt.type_string() }}) as title,
        cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
        registered_at as record_created_at,
        registered_at as record_updated_at,
        false as is_deleted
    from hs_events

    union all

    select
        'zendesk' as source_system,
        'nps_response' as source_table,
        nps_response_id as source_id,
        8 as source_rank,
        email,
        cast(null as {{ dbt.type_string() }}) as first_name,
        cast(null as {{ dbt.type_string() }}) as last_name,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_string() }}) as company_name,
        cast(null as {{ dbt.type_string() }}) as salesforce_account_id,
        cast(null as {{ dbt.type_string() }}) as zendesk_organization_id,
        cast(null as {{ dbt.type_string() }}) as country_hint,
        cast(null as {{ dbt.type_string() }}) as title,
        cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
        submitted_at as record_created_at,
        submitted_at as record_updated_at,
        false as is_deleted
    from zd_nps

),

-- Each distinct address and company name is normalised once, then looked up by every record holding it: the
-- expressions are the model's dearest part, and 1.2 M records hold some 355 k addresses and fewer names (scale 100).
distinct_emails as (

    select distinct email
    from unioned
    where email is not null

),

distinct_company_names as (

    select distinct company_name
    from unioned
    where company_name is not null

),

email_forms as (

    select
        email,
        {{ identity_normalise_email('email') }} as email_normalised
    from distinct_emails

),

company_name_keys as (

    select
        company_name,
        {{ identity_company_name_key('company_name') }} as company_name_key
    from distinct_company_names

),

normalised as (

    select
        unioned.source_system,
        unioned.source_table,
        unioned.source_id,
        unioned.source_rank,
        {{ identity_record_label(
            'unioned.is_deleted', 'unioned.source_rank', 'unioned.source_system', 'unioned.source_table',
            'unioned.source_id'
        ) }} as record_label,
        nullif(trim(unioned.email), '') as email,
        email_forms.email_normalised,
        nullif(unioned.first_name, '') as first_name,
        nullif(unioned.last_name, '') as last_name,
        nullif(trim(unioned.phone), '') as phone,
        nullif(trim(unioned.company_name), '') as company_name,
        company_name_keys.company_name_key,
        unioned.salesforce_account_id,
        unioned.zendesk_organization_id,
        unioned.country_hint,
        unioned.title,
        unioned.lifecycle_stage,
        unioned.record_created_at,
        unioned.record_updated_at,
        unioned.is_deleted
    from unioned
    left join email_forms
        on unioned.email = email_forms.email
    left join company_name_keys
        on unioned.company_name = company_name_keys.company_name

),

untagged as (

    -- the address without a +tag in its local part (jane+webinar@acme.com is jane@acme.com's mailbox: mail
    -- servers deliver sub-addresses to the base address); Gmail's are gone already (identity_normalise_email)
    select
        *,
        case
            when
                email_normalised like '%+%@%'
                and email_normalised not like '+%'
                and email_normalised not like '%@%@%'
                then {{ dbt.concat([
                    "split_part(split_part(email_normalised, '@', 1), '+', 1)", "'@'",
                    "split_part(email_normalised, '@', 2)"
                ]) }}
            else email_normalised
        end as email_untagged
    from normalised

),

final as (

    select
        u.source_system,
        u.source_table,
        u.source_id,
        u.source_rank,
        u.record_label,
        u.email,
        u.email_normalised,
        u.first_name,
        u.last_name,
        u.phone,
        u.company_name,
        u.company_name_key,
        u.salesforce_account_id,
        u.zendesk_organization_id,
        u.country_hint,
        u.title,
        u.lifecycle_stage,
        u.record_created_at,
        u.record_updated_at,
        u.is_deleted,
        case
            -- unknown@unknown.com ties nobody to anybody
            when split_part(u.email_untagged, '@', 2) in (select p.domain from placeholder_domains as p) then null
            when
                u.email_untagged is not null
                and (u.first_name is not null or u.last_name is not null)
                and split_part(u.email_untagged, '@', 1) in (select r.local_part from role_locals as r)
                then {{ dbt.concat([
                    "u.email_untagged", "'|'",
                    regexp_replace_all(identity_fold_accents(
                        dbt.concat(["coalesce(u.first_name, '')", "' '", "coalesce(u.last_name, '')"])
                    ), "'[^a-z0-9]+'", "''")
                ]) }}
            else u.email_untagged
        end as email_match_key
    from untagged as u

)

select * from final
