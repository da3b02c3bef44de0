{#- Each company's headcount and segment, from its Salesforce accounts alone (the only records that carry a
    headcount): the survivor rule of dim_customers (the most recent live record that has one; a deleted one only
    when no live one has). Accounts are always identified by the company clusters, so this needs no person:
    revenue (int_billing_customers__companies and the MRR ledger after it) waits for the company clusters only,
    not for the person matching. dim_customers takes its number_of_employees and segment from here. -#}
with

company_clusters as (select * from {{ identity_ref('int_identity__company_clusters') }}),

records as (select * from {{ ref('int_identity__company_records') }}),

members as (

    select
        cc.company_id,
        r.source_id,
        r.source_rank,
        r.record_updated_at,
        r.is_deleted,
        r.number_of_employees
    from company_clusters as cc
    inner join records as r
        on
            cc.source_system = r.source_system
            and cc.source_table = r.source_table
            and cc.source_id = r.source_id
    where cc.is_identified and r.number_of_employees is not null

),

survivors as (

    {{ identity_survivors('members', 'company_id', [
        ['number_of_employees', 'number_of_employees', none],
    ], deleted='is_deleted') }}

),

final as (

    select
        cast(company_id as {{ dbt.type_string() }}) as company_id,
        cast(number_of_employees as integer) as number_of_employees,
        cast(case
            when number_of_employees < {{ var('identity_segment_mid_market_min_employees') }} then 'smb'
            when number_of_employees < {{ var('identity_segment_enterprise_min_employees') }} then 'mid_market'
            else 'enterprise'
        end as {{ dbt.type_string() }}) as segment
    from survivors

)

select * from final
