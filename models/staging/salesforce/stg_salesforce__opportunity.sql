with base as (

    select * from {{ ref('base_salesforce__opportunity') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as opportunity_id,
        account_id,
        name as opportunity_name,
        type as opportunity_type,
        stage_name,
        amount as acv_amount,
        currency_iso_code as currency,
        probability,
        forecast_category,
        close_date,
        is_closed,
        is_won,
        lead_source,
        campaign_id,
        owner_id,
        created_date as created_at,
        last_modified_date as last_modified_at,
        is_deleted,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
