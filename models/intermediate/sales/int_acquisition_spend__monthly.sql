{#- Acquisition spend per month and channel in the reporting currency: paid media (ads spend, converted at the
    month's rate) by channel, and sales & marketing expense from the ledger (finance.expense, departments in var
    kpi_cac_expense_departments, without the paid-media category that duplicates ads spend) on channel 'all'. -#}
with ad_spend as (

    select * from {{ ref('stg_ads__ad_spend_daily') }}

),

expenses as (

    select * from {{ ref('stg_finance__expense') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates__monthly') }}

),

ads_by_month as (

    select
        cast({{ dbt.date_trunc('month', 'spend_date') }} as date) as month_start,
        {{ acquisition_channel('platform') }} as channel,
        currency,
        sum(spend_amount) as spend_amount
    from ad_spend
    group by
        cast({{ dbt.date_trunc('month', 'spend_date') }} as date),
        {{ acquisition_channel('platform') }},
        currency

),

expenses_by_month as (

    select
        cast({{ dbt.date_trunc('month', 'expense_month') }} as date) as month_start,
        'all' as channel,
        currency,
        sum(expense_amount) as expense_amount
    from expenses
    where
        department in (
            {%- for department in var("kpi_cac_expense_departments") %}
                '{{ department }}'{% if not loop.last %},{% endif %}
            {%- endfor %}
        )
        -- null-safe: an expense without a category is not paid media and stays (category <> ... is NULL for it)
        and coalesce(category, '') <> '{{ var("kpi_paid_media_expense_category") }}'
    group by
        cast({{ dbt.date_trunc('month', 'expense_month') }} as date),
        currency

),

unioned as (

    select
        month_start,
        channel,
        currency,
        spend_amount as paid_media_amount,
        0 as sales_marketing_expense_amount
    from ads_by_month
    union all
    select
        month_start,
        channel,
        currency,
        0 as paid_media_amount,
        expense_amount as sales_marketing_expense_amount
    from expenses_by_month

),

converted as (

    select
        unioned.month_start,
        unioned.channel,
        unioned.paid_media_amount
        * {{ reporting_rate('unioned.currency', 'fx_rates.rate_to_reporting') }} as paid_media_spend,
        unioned.sales_marketing_expense_amount
        * {{ reporting_rate('unioned.currency', 'fx_rates.rate_to_reporting') }} as sales_marketing_expense
    from unioned
    left join fx_rates
        on
            unioned.currency = fx_rates.currency
            and unioned.month_start = fx_rates.month_start

),

final as (

    select
        month_start as month,  -- noqa: RF04
        channel,
        sum(paid_media_spend) as paid_media_spend,
        sum(sales_marketing_expense) as sales_marketing_expense
    from converted
    group by
        month_start,
        channel

)

select * from final
