with base as (

    select * from {{ ref('base_stripe__credit_note') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as credit_note_id,
        invoice_id,
        amount,
        currency,
        _currency_from_fallback as is_currency_from_invoice,
        _currency_as_landed as currency_as_landed,
        reason as credit_note_reason,
        created as created_at,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
