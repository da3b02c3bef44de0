with base as (

    select * from {{ ref('base_finance__fx_rate') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        date as rate_date,
        currency,
        rate_to_usd,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
