{#- The company of each person: from its records' companies, by source priority (Salesforce contact's
    account, then Stripe customer, Zendesk user's organization, Salesforce lead, HubSpot contact). A person none
    of whose records has a company (a Salesforce contact with no account, a Zendesk user with no organization)
    takes the company its records' corporate email domains name, when they name exactly one. One row per person
    that has one. -#}
with

person_clusters as (select * from {{ identity_ref('int_identity__person_clusters') }}),

person_record_companies as (select * from {{ ref('int_identity__person_record_companies') }}),

person_records as (

    select
        pc.person_id,
        pc.source_system,
        pc.source_table,
        pc.source_id,
        rc.company_id,
        rc.email_domain_company_id
    from person_clusters as pc
    inner join person_record_companies as rc
        on
            pc.source_system = rc.source_system
            and pc.source_table = rc.source_table
            and pc.source_id = rc.source_id
    where rc.company_id is not null or rc.email_domain_company_id is not null

),

candidates as (

    select
        person_id,
        company_id,
        row_number() over (
            partition by person_id
            order by
                case
                    when source_system = 'salesforce' and source_table = 'contact' then 1
                    when source_system = 'stripe' then 2
                    when source_system = 'zendesk' and source_table = 'user' then 3
                    when source_system = 'salesforce' and source_table = 'lead' then 4
                    else 5
                end,
                source_id
        ) as candidate_rank
    from person_records
    where company_id is not null

),

by_records as (

    select
        person_id,
        company_id
    from candidates
    where candidate_rank = 1

),

by_email_domain as (

    select
        p.person_id,
        min(p.email_domain_company_id) as company_id
    from person_records as p
    left join by_records as r
        on p.person_id = r.person_id
    where
        p.email_domain_company_id is not null
        and r.person_id is null
    group by p.person_id
    having count(distinct p.email_domain_company_id) = 1

),

final as (

    select * from by_records
    union all
    select * from by_email_domain

)

select * from final
