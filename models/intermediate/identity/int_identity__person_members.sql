{#- Every person record with its person, its person's company and the fields the golden record picks from (one
    row per source record). Identity alone decides these rows: dim_contacts, which new e-mail events rebuild
    (a bounce changes which address survives), starts from them instead of joining the clusters, the records
    and the companies again. -#}
with

person_clusters as (select * from {{ identity_ref('int_identity__person_clusters') }}),

person_companies as (select * from {{ ref('int_identity__person_companies') }}),

records as (select * from {{ ref('int_identity__person_records') }}),

final as (

    select
        pc.person_id,
        pco.company_id,
        r.source_system,
        r.source_table,
        r.source_id,
        r.source_rank,
        pc.email_normalised,
        r.first_name,
        r.last_name,
        pc.phone_e164,
        r.title,
        r.record_created_at,
        r.record_updated_at,
        r.is_deleted,
        {{ lifecycle_stage_order('r.lifecycle_stage') }} as lifecycle_order
    from person_clusters as pc
    inner join records as r
        on
            pc.source_system = r.source_system
            and pc.source_table = r.source_table
            and pc.source_id = r.source_id
    left join person_companies as pco on pc.person_id = pco.person_id

)

select * from final
