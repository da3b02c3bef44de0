with base as (

    select * from {{ ref('base_salesforce__opportunity_line_item') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as opportunity_line_item_id,
        opportunity_id,
        product_code,
        quantity,
        unit_price as unit_price_amount,
        total_price as total_price_amount,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
