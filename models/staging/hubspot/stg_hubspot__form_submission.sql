with base as (

    select * from {{ ref('base_hubspot__form_submission') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as form_submission_id,
        form_name,
        email,
        campaign_id,
        page_url,
        submitted_at,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
