with base as (

    select * from {{ ref('base_zendesk__ticket') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as ticket_id,
        requester_id,
        organization_id,
        subject,
        type as ticket_type,
        priority,
        status as ticket_status,
        channel,
        created_at,
        solved_at,
        updated_at,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
