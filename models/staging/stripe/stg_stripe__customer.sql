with base as (

    select * from {{ ref('base_stripe__customer') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as customer_id,
        email,
        name as customer_name,
        currency,
        created as created_at,
        salesforce_account_id,
        is_deleted,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
