{#- The company each person record points at: a Salesforce contact's account, a Zendesk user's organization,
    the company resolved for a HubSpot contact, lead or Stripe customer itself. A contact whose account, or a
    user whose organization, reaches no company (it never arrived or was quarantined) takes the company its
    email domain names, when that domain is a company key (never free-mail, disposable or a shared-hosting
    suffix) of exactly one company. One row per person record; email_domain_company_id is that domain's company
    for every record, which int_identity__person_companies falls back on for a person none of whose records has a
    company (it is not the record's company: splink and the clustering read company_id alone). -#}
with

person_records as (select * from {{ ref('int_identity__person_records') }}),

company_clusters as (select * from {{ identity_ref('int_identity__company_clusters') }}),

company_keys as (select * from {{ ref('int_identity__company_keys') }}),

public_suffixes as (select suffix from {{ ref('identity_public_suffixes') }}),

identified as (

    select
        source_system,
        source_table,
        source_id,
        company_id
    from company_clusters
    where is_identified

),

-- Each lookup is filtered first and joined on one key alone: conditions on both sides inside a left join's
-- `on` made DuckDB fall back to a nested-loop join (minutes at a million records).
own_records as (

    select
        source_system,
        source_table,
        source_id,
        company_id
    from identified
    where
        source_table in ('contact', 'lead', 'customer')
        and not (source_system = 'salesforce' and source_table = 'contact')

),

accounts as (

    select
        source_id as account_id,
        company_id
    from identified
    where source_system = 'salesforce' and source_table = 'account'

),

organizations as (

    select
        source_id as organization_id,
        company_id
    from identified
    where source_system = 'zendesk' and source_table = 'organization'

),

-- the corporate domains that name exactly one company (int_identity__company_keys has no free-mail, typo,
-- disposable or own domain; a shared-hosting suffix such as github.io is no company either)
domain_companies as (

    select
        k.key_value as email_domain,
        min(i.company_id) as company_id
    from company_keys as k
    inner join identified as i
        on
            k.source_system = i.source_system
            and k.source_table = i.source_table
            and k.source_id = i.source_id
    where
        k.key_type = 'domain'
        and k.key_value not in (
            select s.suffix from public_suffixes as s
            where s.suffix is not null
        )
    group by k.key_value
    having count(distinct i.company_id) = 1

),

records as (

    select
        source_system,
        source_table,
        source_id,
        salesforce_account_id,
        zendesk_organization_id,
        split_part(email_normalised, '@', 2) as email_domain
    from person_records

),

final as (

    select
        p.source_system,
        p.source_table,
        p.source_id,
        dom.company_id as email_domain_company_id,
        coalesce(
            own.company_id,
            case when p.source_system = 'salesforce' and p.source_table = 'contact' then acct.company_id end,
            org.company_id,
            -- a reference that reaches no company (an orphan or quarantined account / organization)
            case
                when
                    (
                        p.source_system = 'salesforce' and p.source_table = 'contact'
                        and p.salesforce_account_id is not null
                    )
                    or (
                        p.source_system = 'zendesk' and p.source_table = 'user'
                        and p.zendesk_organization_id is not null
                    )
                    then dom.company_id
            end
        ) as company_id
    from records as p
    left join own_records as own
        on
            p.source_system = own.source_system
            and p.source_table = own.source_table
            and p.source_id = own.source_id
    left join accounts as acct
        on p.salesforce_account_id = acct.account_id
    left join organizations as org
        on p.zendesk_organization_id = org.organization_id
    left join domain_companies as dom
        on p.email_domain = dom.email_domain

)

select * from final
