with base as (

    select * from {{ ref('base_hubspot__campaign') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as campaign_id,
        name as campaign_name,
        type as campaign_type,
        start_date,
        end_date,
        budget as budget_amount,
        currency,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
