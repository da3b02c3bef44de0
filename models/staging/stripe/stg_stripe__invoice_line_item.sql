with base as (

    select * from {{ ref('base_stripe__invoice_line_item') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as invoice_line_item_id,
        invoice_id,
        subscription_id,
        price_id,
        description,
        quantity,
        amount,
        discount_amount,
        currency,
        _currency_from_fallback as is_currency_from_invoice,
        _currency_as_landed as currency_as_landed,
        period_start as period_start_at,
        period_end as period_end_at,
        proration as is_proration,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
