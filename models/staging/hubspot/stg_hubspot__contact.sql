with base as (

    select * from {{ ref('base_hubspot__contact') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as contact_id,
        email,
        first_name,
        last_name,
        company as company_name,
        phone,
        lifecycle_stage,
        original_source,
        created_at,
        updated_at,
        became_mql_at,
        became_sql_at,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
