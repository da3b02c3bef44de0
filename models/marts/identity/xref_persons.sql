{#- Crosswalk source record -> person_id for every person-like record (Salesforce contact and lead, HubSpot
    contact, form submission and event attendance, Stripe customer as the payer, Zendesk user, NPS response),
    with the person's company and the evidence behind each link. -#}
with

person_clusters as (select * from {{ identity_ref('int_identity__person_clusters') }}),

person_company as (select * from {{ ref('int_identity__person_companies') }}),

final as (

    select
        cast(pc.person_id as {{ dbt.type_string() }}) as person_id,
        cast(pc.source_system as {{ dbt.type_string() }}) as source_system,
        cast(pc.source_table as {{ dbt.type_string() }}) as source_table,
        cast(pc.source_id as {{ dbt.type_string() }}) as source_id,
        cast(pco.company_id as {{ dbt.type_string() }}) as company_id,
        cast(pc.match_rule as {{ dbt.type_string() }}) as match_rule,
        cast(pc.match_probability as {{ type_double() }}) as match_probability,
        cast(pc.is_override as boolean) as is_override
    from person_clusters as pc
    left join person_company as pco on pc.person_id = pco.person_id

)

select * from final
