with base as (

    select * from {{ ref('base_hubspot__event_attendance') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as event_attendance_id,
        campaign_id,
        email,
        registered_at,
        attended as is_attended,
        minutes_attended,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
