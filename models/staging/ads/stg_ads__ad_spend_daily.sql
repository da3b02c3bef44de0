with base as (

    select * from {{ ref('base_ads__ad_spend_daily') }}

),

current_rows as (

    select * from base
    where _quarantine_code is null and _version_rank = 1

),

renamed as (

    select
        date as spend_date,
        platform,
        platform_campaign_id,
        hubspot_campaign_id,
        spend as spend_amount,
        currency,
        impressions,
        clicks,
        _source_file,
        _source_row,
        _loaded_at
    from current_rows

)

select * from renamed
