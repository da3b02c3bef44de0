{#- The evidence that ties company records together, one row per (record, key): a corporate domain (never a
    free-mail, free-mail typo, disposable or placeholder domain such as unknown.com), a normalised company name (never a placeholder such as
    N/A or Self-employed: seed identity_placeholder_company_names), a Salesforce account id (the account's
    own, or a Stripe customer's salesforce_account_id). Records sharing a key are one company. A host on a
    subdomain (eu.acme.com, app.acme.com) also keys its organisation's domain (acme.com) when another record
    names that domain itself: never a public suffix or shared-hosting domain (co.uk, github.io, myshopify.com:
    seed identity_public_suffixes), and two subdomains alone are not tied (their parent may be a platform the
    seed does not list). -#}
with

records as (select * from {{ ref('int_identity__company_records') }}),

free_mail as (select domain from {{ ref('identity_free_mail_domains') }}),

free_mail_typos as (select domain from {{ ref('identity_free_mail_typo_domains') }}),

disposable as (select domain from {{ ref('identity_disposable_domains') }}),

placeholder_domains as (select domain from {{ ref('identity_placeholder_domains') }}),

public_suffixes as (select suffix from {{ ref('identity_public_suffixes') }}),

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
    -- unknown@unknown.com, x@example.com: typed when no address is known
    select domain from placeholder_domains
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

-- the domains that may name a company: a dot inside, not free-mail, a typo of it, disposable or our own
company_domains as (

    select
        d.source_system,
        d.source_table,
        d.source_id,
        d.source_rank,
        d.record_label,
        d.key_value
    from domains as d
    where
        d.key_value like '%_._%'
        and d.key_value not in (select n.domain from non_company_domains as n)

),

-- the hosts of three labels or more
subdomain_hosts as (

    select distinct key_value as host_name
    from company_domains
    where key_value like '%_._%._%'

),

subdomain_tails as (

    select
        host_name,
        {{ identity_domain_tail('host_name', 2) }} as tail_2,
        {{ identity_domain_tail('host_name', 3) }} as tail_3,
        {{ identity_domain_tail('host_name', 4) }} as tail_4
    from subdomain_hosts

),

-- the organisation's domain of each of them: one label before the longest suffix of seed
-- identity_public_suffixes it ends in (eu.acme.co.uk -> acme.co.uk; shop.myshopify.com is itself), else its
-- last two labels (app.acme.com -> acme.com)
parent_domains as (

    select
        t.host_name,
        case
            when s3.suffix is not null then t.tail_4
            when s2.suffix is not null then t.tail_3
            else t.tail_2
        end as parent_domain
    from subdomain_tails as t
    left join public_suffixes as s2 on t.tail_2 = s2.suffix
    left join public_suffixes as s3 on t.tail_3 = s3.suffix

),

domain_keys as (

    select
        source_system,
        source_table,
        source_id,
        source_rank,
        record_label,
        key_value
    from company_domains

    union

    -- a subdomain's record also keys its organisation's domain, when another record names that domain itself
    select
        d.source_system,
        d.source_table,
        d.source_id,
        d.source_rank,
        d.record_label,
        p.parent_domain as key_value
    from company_domains as d
    inner join parent_domains as p on d.key_value = p.host_name
    where
        p.parent_domain <> p.host_name
        and p.parent_domain in (select c.key_value from company_domains as c)

),

keys as (

    select
        source_system,
        source_table,
        source_id,
        source_rank,
        record_label,
        'domain' as key_type,
        key_value
    from domain_keys

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
