with base as (

    select * from {{ ref('base_salesforce__lead') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as lead_id,
        first_name,
        last_name,
        email,
        phone,
        company as company_name,
        status as lead_status,
        lead_source,
        is_converted,
        converted_contact_id,
        converted_account_id,
        converted_opportunity_id,
        converted_date,
        created_date as created_at,
        is_deleted,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
