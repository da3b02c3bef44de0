with base as (

    select * from {{ ref('base_hubspot__email_event') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as email_event_id,
        campaign_id,
        recipient as recipient_email,
        type as event_type,
        created_at,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
