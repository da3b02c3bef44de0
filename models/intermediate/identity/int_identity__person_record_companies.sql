{#- The company each person record points at: a Salesforce contact's account, a Zendesk user's organization,
    the company resolved for a HubSpot contact, lead or Stripe customer itself. One row per person record. -#}
with

person_records as (select * from {{ ref('int_identity__person_records') }}),

company_clusters as (select * from {{ identity_ref('int_identity__company_clusters') }}),

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

final as (

    select
        p.source_system,
        p.source_table,
        p.source_id,
        coalesce(
            own.company_id,
            case when p.source_system = 'salesforce' and p.source_table = 'contact' then acct.company_id end,
            org.company_id
        ) as company_id
    from person_records as p
    left join own_records as own
        on
            p.source_system = own.source_system
            and p.source_table = own.source_table
            and p.source_id = own.source_id
    left join accounts as acct
        on p.salesforce_account_id = acct.account_id
    left join organizations as org
        on p.zendesk_organization_id = org.organization_id

)

select * from final
