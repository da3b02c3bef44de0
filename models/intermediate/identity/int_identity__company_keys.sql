{#- The evidence that ties company records together, one row per (record, key): a corporate domain (never a
    free-mail, free-mail typo or disposable domain), a normalised company name (never a placeholder such as
    N/A or Self-employed: seed identity_placeholder_company_names), a Salesforce account id (the account's
    own, or a Stripe customer's salesforce_account_id). Records sharing a key are one company. -#}
with

records as (select * from {{ ref('int_identity__company_records') }}),

free_mail as (select domain from {{ ref('identity_free_mail_domains') }}),

free_mail_typos as (select domain from {{ ref('identity_free_mail_typo_domains') }}),

disposable as (select domain from {{ ref('identity_disposable_domains') }}),

placeholder_names as (

    select {{ identity_company_name_key('company_name') }} as name_key
    from {{ ref('identity_placeholder_company_names') }}
    -- N/A, NA, None and Null are here, not in the seed: dbt's CSV reader (agate) reads them as empty cells on
    -- PostgreSQL and Spark, so they would be no placeholder there
    union all
    select 'na' as name_key
    union all
    select 'none' as name_key
    union all
    select 'null' as name_key

),

non_company_domains as (

    select domain from free_mail
    union
    select domain from free_mail_typos
    union
    select domain from disposable
    union
    -- the selling company's own domain: its staff are not customers
    select '{{ var("identity_own_domain") }}'

),

-- the records whose domain list names more than domain_1 and domain_2 (a few Zendesk organizations)
listed as (

    select
        source_system,
        source_table,
        source_id,
        source_rank,
        record_label,
        domain_names
    from records
    where domain_names is not null

),

domains as (

    select
        source_system,
        source_table,
        source_id,
        source_rank,
        record_label,
        domain_1 as key_value
    from records
    where domain_1 is not null
    union
    select
        source_system,
        source_table,
        source_id,
        source_rank,
        record_label,
        domain_2 as key_value
    from records
    where domain_2 is not null
    {%- for k in range(3, var('identity_max_listed_domains') + 1) %}
        union
        select
            source_system,
            source_table,
            source_id,
            source_rank,
            record_label,
            {{ identity_domain_from_url("split_part(domain_names, ';', " ~ k ~ ")") }} as key_value
        from listed
        where {{ identity_domain_from_url("split_part(domain_names, ';', " ~ k ~ ")") }} is not null
    {%- endfor %}

),

keys as (

    select
        d.source_system,
        d.source_table,
        d.source_id,
        d.source_rank,
        d.record_label,
        'domain' as key_type,
        d.key_value
    from domains as d
    where
        d.key_value like '%_._%'
        and d.key_value not in (select n.domain from non_company_domains as n)

    union all

    select
        source_system,
        source_table,
        source_id,
        source_rank,
        record_label,
        'name' as key_type,
        company_name_key as key_value
    from records
    where
        {{ dbt.length('company_name_key') }} >= {{ var('identity_min_name_key_length') }}
        and company_name_key not in (
            select p.name_key from placeholder_names as p
            where p.name_key is not null
        )

    union all

    select
        source_system,
        source_table,
        source_id,
        source_rank,
        record_label,
        'salesforce_account_id' as key_type,
        salesforce_account_id as key_value
    from records
    where salesforce_account_id is not null

),

final as (

    select
        source_system,
        source_table,
        source_id,
        source_rank,
        record_label,
        key_type,
        key_value
    from keys

)

select * from final
