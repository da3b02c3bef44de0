with base as (

    select * from {{ ref('base_stripe__charge') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as charge_id,
        customer_id,
        invoice_id,
        amount,
        currency,
        status as charge_status,
        amount_refunded as refunded_amount,
        created as created_at,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
