with base as (

    select * from {{ ref('base_finance__expense') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        month as expense_month,
        department,
        category,
        amount as expense_amount,
        currency,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
