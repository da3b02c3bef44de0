{#- Every company-like source record in one shape: the input of company resolution. Salesforce accounts,
    Stripe customers and Zendesk organizations are companies; HubSpot contacts and Salesforce leads name one
    (company field, email domain). source_rank orders the systems for anchors and survivorship (lower wins).
    A Zendesk organization's first two domains are domain_1 and domain_2; domain_names keeps its whole list
    when it names more (int_identity__company_keys reads the rest). -#}
with

sf_accounts as (select * from {{ ref('stg_salesforce__account') }}),

stripe_customers as (select * from {{ ref('stg_stripe__customer') }}),

zd_orgs as (select * from {{ ref('stg_zendesk__organization') }}),

hs_contacts as (select * from {{ ref('stg_hubspot__contact') }}),

sf_leads as (select * from {{ ref('stg_salesforce__lead') }}),

sf_opportunities as (select * from {{ ref('stg_salesforce__opportunity') }}),

unioned as (

    select
        'salesforce' as source_system,
        'account' as source_table,
        account_id as source_id,
        1 as source_rank,
        account_name as company_name,
        {{ identity_domain_from_url('website') }} as domain_1,
        cast(null as {{ dbt.type_string() }}) as domain_2,
        cast(null as {{ dbt.type_string() }}) as domain_names,
        account_id as salesforce_account_id,
        industry,
        number_of_employees,
        billing_country as country,
        owner_id,
        cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
        created_at as record_created_at,
        created_at as record_updated_at,
        coalesce(is_deleted, false) as is_deleted,
        cast(null as {{ dbt.type_string() }}) as email
    from sf_accounts

    union all

    select
        'stripe' as source_system,
        'customer' as source_table,
        customer_id as source_id,
        2 as source_rank,
        customer_name as company_name,
        cast(null as {{ dbt.type_string() }}) as domain_1,
        cast(null as {{ dbt.type_string() }}) as domain_2,
        cast(null as {{ dbt.type_string() }}) as domain_names,
        salesforce_account_id,
        cast(null as {{ dbt.type_string() }}) as industry,
        cast(null as integer) as number_of_employees,
        cast(null as {{ dbt.type_string() }}) as country,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
        created_at as record_created_at,
        created_at as record_updated_at,
        coalesce(is_deleted, false) as is_deleted,
        email
    from stripe_customers

    union all

    select
        'zendesk' as source_system,
        'organization' as source_table,
        organization_id as source_id,
        3 as source_rank,
        organization_name as company_name,
        {{ identity_domain_from_url("split_part(domain_names, ';', 1)") }} as domain_1,
        {{ identity_domain_from_url("split_part(domain_names, ';', 2)") }} as domain_2,
        domain_names,
        cast(null as {{ dbt.type_string() }}) as salesforce_account_id,
        cast(null as {{ dbt.type_string() }}) as industry,
        cast(null as integer) as number_of_employees,
        cast(null as {{ dbt.type_string() }}) as country,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
        created_at as record_created_at,
        created_at as record_updated_at,
        false as is_deleted,
        cast(null as {{ dbt.type_string() }}) as email
    from zd_orgs

    union all

    select
        'hubspot' as source_system,
        'contact' as source_table,
        contact_id as source_id,
        4 as source_rank,
        company_name,
        cast(null as {{ dbt.type_string() }}) as domain_1,
        cast(null as {{ dbt.type_string() }}) as domain_2,
        cast(null as {{ dbt.type_string() }}) as domain_names,
        cast(null as {{ dbt.type_string() }}) as salesforce_account_id,
        cast(null as {{ dbt.type_string() }}) as industry,
        cast(null as integer) as number_of_employees,
        cast(null as {{ dbt.type_string() }}) as country,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        lifecycle_stage,
        created_at as record_created_at,
        coalesce(updated_at, created_at) as record_updated_at,
        false as is_deleted,
        email
    from hs_contacts

    union all

    select
        'salesforce' as source_system,
        'lead' as source_table,
        l.lead_id as source_id,
        5 as source_rank,
        l.company_name,
        cast(null as {{ dbt.type_string() }}) as domain_1,
        cast(null as {{ dbt.type_string() }}) as domain_2,
        cast(null as {{ dbt.type_string() }}) as domain_names,
        cast(null as {{ dbt.type_string() }}) as salesforce_account_id,
        cast(null as {{ dbt.type_string() }}) as industry,
        cast(null as integer) as number_of_employees,
        cast(null as {{ dbt.type_string() }}) as country,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        -- lead, converted, or converted with a deal that was not deleted (as for the lead's person)
        {{ crm_lead_lifecycle_stage(
            'l.is_converted', 'l.converted_opportunity_id', opportunity_is_deleted='o.is_deleted'
        ) }} as lifecycle_stage,
        l.created_at as record_created_at,
        l.created_at as record_updated_at,
        coalesce(l.is_deleted, false) as is_deleted,
        l.email
    from sf_leads as l
    left join sf_opportunities as o on l.converted_opportunity_id = o.opportunity_id

),

-- Each distinct company name and email address is normalised once, then looked up by every record holding it: the
-- expressions are the model's dearest part, and some 545 k records hold about half as many names (scale 100).
distinct_company_names as (

    select distinct company_name
    from unioned
    where company_name is not null

),

distinct_emails as (

    select distinct email
    from unioned
    where email is not null

),

company_names as (

    select
        company_name,
        -- runs of spaces typed inside a name are one ("Acme  Inc." is Acme Inc.)
        nullif(trim({{ regexp_replace_all('company_name', "'  +'", "' '") }}), '') as company_name_cleaned,
        {{ identity_company_name_key('company_name') }} as company_name_key
    from distinct_company_names

),

email_domains as (

    select
        email,
        split_part({{ identity_normalise_email('email') }}, '@', 2) as email_domain
    from distinct_emails

),

final as (

    select
        unioned.source_system,
        unioned.source_table,
        unioned.source_id,
        unioned.source_rank,
        {{ identity_record_label(
            'unioned.is_deleted', 'unioned.source_rank', 'unioned.source_system', 'unioned.source_table',
            'unioned.source_id'
        ) }} as record_label,
        unioned.source_table in ('account', 'customer', 'organization') as is_company_record,
        company_names.company_name_cleaned as company_name,
        company_names.company_name_key,
        -- a company record's domain is its website's (Zendesk: its first listed); a person's, their email's
        nullif(coalesce(unioned.domain_1, email_domains.email_domain), '') as domain_1,
        nullif(unioned.domain_2, '') as domain_2,
        case when unioned.domain_names like '%;%;%' then unioned.domain_names end as domain_names,
        unioned.salesforce_account_id,
        unioned.industry,
        unioned.number_of_employees,
        unioned.country,
        unioned.owner_id,
        unioned.lifecycle_stage,
        unioned.record_created_at,
        unioned.record_updated_at,
        unioned.is_deleted
    from unioned
    left join company_names
        on unioned.company_name = company_names.company_name
    left join email_domains
        on unioned.email = email_domains.email

)

select * from final
