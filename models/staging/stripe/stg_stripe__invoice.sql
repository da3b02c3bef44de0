with base as (

    select * from {{ ref('base_stripe__invoice') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as invoice_id,
        customer_id,
        subscription_id,
        number as invoice_number,
        status as invoice_status,
        currency,
        subtotal as subtotal_amount,
        discount as discount_amount,
        tax as tax_amount,
        total as total_amount,
        amount_paid as paid_amount,
        amount_due as due_amount,
        created as created_at,
        due_date as due_at,
        period_start as period_start_at,
        period_end as period_end_at,
        paid_at,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
