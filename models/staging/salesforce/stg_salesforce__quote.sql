with base as (

    select * from {{ ref('base_salesforce__quote') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as quote_id,
        opportunity_id,
        status as quote_status,
        total as total_amount,
        sent_at,
        signed_at,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
