{#- The company of each person: from its records' companies, by source priority (Salesforce contact's
    account, then Stripe customer, Zendesk user's organization, Salesforce lead, HubSpot contact). One row per
    person that has one. -#}
with

person_clusters as (select * from {{ identity_ref('int_identity__person_clusters') }}),

person_record_companies as (select * from {{ ref('int_identity__person_record_companies') }}),

candidates as (

    select
        pc.person_id,
        rc.company_id,
        row_number() over (
            partition by pc.person_id
            order by
                case
                    when pc.source_system = 'salesforce' and pc.source_table = 'contact' then 1
                    when pc.source_system = 'stripe' then 2
                    when pc.source_system = 'zendesk' and pc.source_table = 'user' then 3
                    when pc.source_system = 'salesforce' and pc.source_table = 'lead' then 4
                    else 5
                end,
                pc.source_id
        ) as candidate_rank
    from person_clusters as pc
    inner join person_record_companies as rc
        on
            pc.source_system = rc.source_system
            and pc.source_table = rc.source_table
            and pc.source_id = rc.source_id
    where rc.company_id is not null

),

final as (

    select
        person_id,
        company_id
    from candidates
    where candidate_rank = 1

)

select * from final
