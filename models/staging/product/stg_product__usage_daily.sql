with base as (

    select * from {{ ref('base_product__usage_daily') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        date as usage_date,
        stripe_customer_id,
        active_users,
        seats_purchased,
        key_events,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
