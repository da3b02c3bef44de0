with base as (

    select * from {{ ref('base_zendesk__satisfaction_rating') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as satisfaction_rating_id,
        ticket_id,
        score,
        created_at,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
