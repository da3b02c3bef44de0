with base as (

    select * from {{ ref('base_zendesk__organization') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as organization_id,
        name as organization_name,
        domain_names,
        created_at,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
