with base as (

    select * from {{ ref('base_stripe__product') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as product_id,
        name as product_name,
        is_add_on,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
