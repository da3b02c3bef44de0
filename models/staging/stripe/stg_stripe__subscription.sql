with base as (

    select * from {{ ref('base_stripe__subscription') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        id as subscription_id,
        customer_id,
        status as subscription_status,
        created as created_at,
        start_date as started_at,
        trial_end as trial_ends_at,
        cancel_at_period_end as is_cancel_at_period_end,
        canceled_at,
        ended_at,
        current_period_start as current_period_start_at,
        current_period_end as current_period_end_at,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
