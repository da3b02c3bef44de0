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
        coalesce(is_deleted, false) as is_deleted
    from sf_accounts

    union all

    select
        'stripe' as source_system,
        'customer' as source_table,
        customer_id as source_id,
        2 as source_rank,
        customer_name as company_name,
        split_part({{ identity_normalise_email('email') }}, '@', 2) as domain_1,
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
        coalesce(is_deleted, false) as is_deleted
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
        false as is_deleted
    from zd_orgs

    union all

    select
        'hubspot' as source_system,
        'contact' as source_table,
        contact_id as source_id,
        4 as source_rank,
        company_name,
        split_part({{ identity_normalise_email('email') }}, '@', 2) as domain_1,
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
        false as is_deleted
    from hs_contacts

    union all

    select
        'salesforce' as source_system,
        'lead' as source_table,
        lead_id as source_id,
        5 as source_rank,
        company_name,
        split_part({{ identity_normalise_email('email') }}, '@', 2) as domain_1,
        cast(null as {{ dbt.type_string() }}) as domain_2,
        cast(null as {{ dbt.type_string() }}) as domain_names,
        cast(null as {{ dbt.type_string() }}) as salesforce_account_id,
        cast(null as {{ dbt.type_string() }}) as industry,
        cast(null as integer) as number_of_employees,
        cast(null as {{ dbt.type_string() }}) as country,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
        created_at as record_created_at,
        created_at as record_updated_at,
        coalesce(is_deleted, false) as is_deleted
    from sf_leads

),

final as (

    select
        source_system,
        source_table,
        source_id,
        source_rank,
        {{ identity_record_label('is_deleted', 'source_rank', 'source_system', 'source_table', 'source_id') }}
            as record_label,
        source_table in ('account', 'customer', 'organization') as is_company_record,
        -- runs of spaces typed inside a name are one ("Acme  Inc." is Acme Inc.)
        nullif(trim({{ regexp_replace_all('company_name', "'  +'", "' '") }}), '') as company_name,
        {{ identity_company_name_key('company_name') }} as company_name_key,
        nullif(domain_1, '') as domain_1,
        nullif(domain_2, '') as domain_2,
        case when domain_names like '%;%;%' then domain_names end as domain_names,
        salesforce_account_id,
        industry,
        number_of_employees,
        country,
        owner_id,
        lifecycle_stage,
        record_created_at,
        record_updated_at,
        is_deleted
    from unioned

)

select * from final
