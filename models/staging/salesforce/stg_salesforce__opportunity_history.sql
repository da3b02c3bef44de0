with base as (

    select * from {{ ref('base_salesforce__opportunity_history') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as opportunity_history_id,
        opportunity_id,
        stage_name,
        amount as acv_amount,
        probability,
        forecast_category,
        close_date,
        created_date as changed_at,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
