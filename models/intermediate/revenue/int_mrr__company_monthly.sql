{#- MRR per company and month (only months with revenue components), in the company's currency and converted to
    the reporting currency, rounded once to 2 decimals. Months after the ledger's as-of month are cut off. -#}
{%- if var('as_of_month', none) -%}
    {%- set as_of_expression = "max(cast('" ~ var('as_of_month') ~ "' as date))" -%}
{%- else -%}
    {%- set as_of_expression = "cast(" ~ dbt.dateadd(
        'month', '-1', dbt.date_trunc('month', 'coalesce(max(_loaded_at), max(created_at))')
    ) ~ " as date)" -%}
{%- endif %}
with spread as (

    select * from {{ ref('int_invoice_lines__spread_monthly') }}

),

customers as (

    select
        source_id as customer_id,
        company_id
    from {{ ref('int_billing_customers__companies') }}
    where source_system = 'stripe' and source_table = 'customer'

),

fx_rates as (

    select * from {{ ref('int_fx_rates__monthly') }}

),

invoices as (

    select * from {{ ref('stg_stripe__invoice') }}

),

-- the ledger ends at the last complete month: var as_of_month, else the month before the Stripe export month
as_of as (

    select {{ as_of_expression }} as as_of_month
    from invoices

),

company_spread as (

    select
        customers.company_id,
        spread.month_start,
        spread.currency,
        sum(spread.mrr_local_amount) as mrr_local_amount
    from spread
    inner join customers
        on spread.customer_id = customers.customer_id
    group by
        customers.company_id,
        spread.month_start,
        spread.currency

),

company_currencies as (

    select
        company_id,
        min(currency) as currency,
        count(distinct currency) as currency_count
    from company_spread
    group by company_id

),

converted as (

    select
        company_spread.company_id,
        company_spread.month_start,
        company_spread.mrr_local_amount,
        company_spread.mrr_local_amount
        * {{ reporting_rate('company_spread.currency', 'fx_rates.rate_to_reporting') }} as mrr_reporting_amount,
        fx_rates.rate_date
    from company_spread
    left join fx_rates
        on
            company_spread.currency = fx_rates.currency
            and company_spread.month_start = fx_rates.month_start

),

company_months as (

    select
        company_id,
        month_start,
        sum(mrr_local_amount) as mrr_local_amount,
        -- NULL when a currency of the month has no FX rate: the sum of the converted rest is not the company's MRR
        case when count(mrr_reporting_amount) = count(*) then sum(mrr_reporting_amount) end as mrr_reporting_amount,
        max(rate_date) as fx_rate_date
    from converted
    group by
        company_id,
        month_start

),

final as (

    select
        company_months.company_id,
        company_months.month_start,
        case
            when company_currencies.currency_count = 1 then company_currencies.currency
            else '{{ var("reporting_currency") }}'
        end as currency,
        -- rounded as decimals: PostgreSQL has no round(double precision, integer)
        cast(round(
            cast(
                case
                    -- a month whose credits exceed its recurring charges has zero MRR, never negative
                    when company_months.mrr_reporting_amount < 0 then 0
                    when company_currencies.currency_count = 1 then company_months.mrr_local_amount
                    else company_months.mrr_reporting_amount
                end as decimal(38, 10)
            ), 2
        ) as decimal(18, 2)) as mrr_local,
        cast(round(cast(
            case when company_months.mrr_reporting_amount < 0 then 0 else company_months.mrr_reporting_amount end
            as decimal(38, 10)
        ), 2) as decimal(18, 2)) as mrr,
        company_months.fx_rate_date,
        as_of.as_of_month
    from company_months
    inner join company_currencies
        on company_months.company_id = company_currencies.company_id
    cross join as_of
    where company_months.month_start <= as_of.as_of_month

)

select * from final
