{#- One row per currency and month: the FX rate used for that month's converted amounts.
    Rate date: the latest finance.fx_rate date of the currency on or before the first day of the month. A
    currency's months run from its first rate's month through var fx_rate_carry_forward_months past its own last
    rate: a month after that date carries the rate (rate_date shows how old it is), so the ledger's last months
    and open deals closing in the future convert instead of falling out as NULL; a currency whose rates stopped
    earlier than the others' is not carried past its own horizon (its later months have no row: NULL, not a stale
    rate). -#}
with fx_rates as (

    select * from {{ ref('stg_finance__fx_rate') }}

),

currency_horizons as (

    select
        currency,
        max(rate_date) as last_rate_date
    from fx_rates
    group by currency

),

months as (

    {{ month_spine(
        '(select min(rate_date) from fx_rates)',
        '(select ' ~ dbt.dateadd('month', var('fx_rate_carry_forward_months'), 'max(rate_date)') ~ ' from fx_rates)'
    ) | indent(4) }}

),

-- each currency's months end var fx_rate_carry_forward_months past its own last rate
currency_months as (

    select
        months.month_start,
        currency_horizons.currency
    from months
    inner join currency_horizons
        on
            months.month_start
            <= {{ dbt.dateadd('month', var('fx_rate_carry_forward_months'), 'currency_horizons.last_rate_date') }}

),

candidates as (

    select
        currency_months.month_start,
        currency_months.currency,
        fx_rates.rate_date,
        fx_rates.rate_to_usd,
        row_number() over (
            partition by currency_months.month_start, currency_months.currency
            order by fx_rates.rate_date desc
        ) as rate_rank
    from currency_months
    inner join fx_rates
        on
            currency_months.currency = fx_rates.currency
            and currency_months.month_start >= fx_rates.rate_date

),

latest as (

    select
        month_start,
        currency,
        rate_date,
        rate_to_usd
    from candidates
    where rate_rank = 1

),

reporting as (

    select
        month_start,
        rate_to_usd as reporting_rate_to_usd
    from latest
    where currency = '{{ var("reporting_currency") }}'

),

final as (

    select
        latest.month_start,
        latest.currency,
        latest.rate_date,
        latest.rate_to_usd,
        {{ safe_divide(
            'latest.rate_to_usd',
            "coalesce(reporting.reporting_rate_to_usd, case when '" ~ var('reporting_currency') ~ "' = 'USD' then 1 end)"
        ) }} as rate_to_reporting
    from latest
    left join reporting
        on latest.month_start = reporting.month_start

)

select * from final
