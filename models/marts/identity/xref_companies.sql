{#- Crosswalk source record -> company_id, with the evidence behind each link. Every Salesforce account,
    Stripe customer and Zendesk organization; every HubSpot contact and Salesforce lead that names a company
    (company field, corporate email domain), or failing that whose person belongs to one (rule `person`). -#}
with

company_clusters as (select * from {{ identity_ref('int_identity__company_clusters') }}),

person_clusters as (select * from {{ identity_ref('int_identity__person_clusters') }}),

person_company as (select * from {{ ref('int_identity__person_companies') }}),

identified as (

    select
        source_system,
        source_table,
        source_id,
        company_id,
        match_rule,
        match_probability,
        is_override
    from company_clusters
    where is_identified

),

via_person as (

    select
        cc.source_system,
        cc.source_table,
        cc.source_id,
        pco.company_id,
        'person' as match_rule,
        cast(1.0 as {{ type_double() }}) as match_probability,
        false as is_override
    from company_clusters as cc
    inner join person_clusters as pc
        on
            cc.source_system = pc.source_system
            and cc.source_table = pc.source_table
            and cc.source_id = pc.source_id
    inner join person_company as pco on pc.person_id = pco.person_id
    where not cc.is_identified

),

final as (

    select
        cast(company_id as {{ dbt.type_string() }}) as company_id,
        cast(source_system as {{ dbt.type_string() }}) as source_system,
        cast(source_table as {{ dbt.type_string() }}) as source_table,
        cast(source_id as {{ dbt.type_string() }}) as source_id,
        cast(match_rule as {{ dbt.type_string() }}) as match_rule,
        cast(match_probability as {{ type_double() }}) as match_probability,
        cast(is_override as boolean) as is_override
    from (
        select * from identified
        union all
        select * from via_person
    ) as unioned

)

select * from final
