with base as (

    select * from {{ ref('base_salesforce__account') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as account_id,
        name as account_name,
        website,
        industry,
        number_of_employees,
        billing_country,
        owner_id,
        created_date as created_at,
        is_deleted,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
