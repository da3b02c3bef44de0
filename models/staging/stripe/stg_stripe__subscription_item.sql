with base as (

    select * from {{ ref('base_stripe__subscription_item') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as subscription_item_id,
        subscription_id,
        price_id,
        quantity,
        created as created_at,
        deleted_at,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
