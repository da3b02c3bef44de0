with base as (

    select * from {{ ref('base_stripe__price') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as price_id,
        product_id,
        unit_amount,
        currency,
        recurring_interval,
        recurring_interval_count,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
