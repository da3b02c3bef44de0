{#- One row per currency and month: the FX rate used for that month's converted amounts.
    Rate date: the latest finance.fx_rate date on or before the first day of the month. The months run from the
    first rate's month through var fx_rate_carry_forward_months past the last rate's: a month after the last rate
    date carries that rate (rate_date shows how old it is), so the ledger's last months and open deals closing
    in the future convert instead of falling out as NULL. -#}
with fx_rates as (

    select * from {{ ref('stg_finance__fx_rate') }}

),

months as (

    {{ month_spine(
        '(select min(rate_date) from fx_rates)',
        '(select ' ~ dbt.dateadd('month', var('fx_rate_carry_forward_months'), 'max(rate_date)') ~ ' from fx_rates)'
    ) | indent(4) }}

),

candidates as (

    select
        months.month_start,
        fx_rates.currency,
        fx_rates.rate_date,
        fx_rates.rate_to_usd,
        row_number() over (
            partition by months.month_start, fx_rates.currency
            order by fx_rates.rate_date desc
        ) as rate_rank
    from months
    inner join fx_rates
        on months.month_start >= fx_rates.rate_date

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
