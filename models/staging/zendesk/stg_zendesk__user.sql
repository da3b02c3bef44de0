with base as (

    select * from {{ ref('base_zendesk__user') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as user_id,
        email,
        name as user_name,
        organization_id,
        role as user_role,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
