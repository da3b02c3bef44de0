with base as (

    select * from {{ ref('base_salesforce__contact') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as contact_id,
        account_id,
        first_name,
        last_name,
        email,
        phone,
        title,
        lead_source,
        created_date as created_at,
        last_modified_date as last_modified_at,
        is_deleted,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
