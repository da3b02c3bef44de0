{#- Each company's first touch: its earliest HubSpot contact (created_at, then contact id) among the company's
    records in the company clusters (identity layer: a contact joins its company by corporate email domain, name or
    a human decision, whatever address the CRM holds for the person). The clusters, not xref_companies: the sales
    marts do not wait for the person matching. -#}
with clusters as (

    select * from {{ identity_ref('int_identity__company_clusters') }}
    where is_identified and source_system = 'hubspot' and source_table = 'contact'

),

hubspot_contacts as (

    select * from {{ ref('stg_hubspot__contact') }}

),

ranked as (

    select
        clusters.company_id,
        hubspot_contacts.contact_id,
        hubspot_contacts.original_source,
        hubspot_contacts.created_at,
        row_number() over (
            partition by clusters.company_id
            -- a contact without a creation date last on every engine (Spark sorts NULL first when not told)
            order by hubspot_contacts.created_at nulls last, hubspot_contacts.contact_id
        ) as touch_rank
    from clusters
    inner join hubspot_contacts
        on clusters.source_id = hubspot_contacts.contact_id

),

final as (

    select
        company_id,
        contact_id as first_touch_contact_id,
        created_at as first_touch_at,
        original_source as first_touch_source,
        {{ acquisition_channel('original_source') }} as first_touch_channel
    from ranked
    where touch_rank = 1

)

select * from final
