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

final as (

    select
        p.source_system,
        p.source_table,
        p.source_id,
        coalesce(own.company_id, acct.company_id, org.company_id) as company_id
    from person_records as p
    left join identified as own
        on
            p.source_system = own.source_system
            and p.source_table = own.source_table
            and p.source_id = own.source_id
            and p.source_table in ('contact', 'lead', 'customer')
            and not (p.source_system = 'salesforce' and p.source_table = 'contact')
    left join identified as acct
        on
            p.salesforce_account_id = acct.source_id
            and acct.source_system = 'salesforce'
            and acct.source_table = 'account'
            and p.source_system = 'salesforce'
            and p.source_table = 'contact'
    left join identified as org
        on
            p.zendesk_organization_id = org.source_id
            and org.source_system = 'zendesk'
            and org.source_table = 'organization'

)

select * from final
