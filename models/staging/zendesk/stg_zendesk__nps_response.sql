with base as (

    select * from {{ ref('base_zendesk__nps_response') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as nps_response_id,
        email,
        score as nps_score,
        submitted_at,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
