{#- Revenue retention over the trailing twelve months, per month of the MRR ledger: the companies paying at the end
    of the month twelve months before (the cohort) and what they pay at the end of this month, both at this month's
    FX rates (constant currency, as the monthly NRR's base: an exchange rate's move is no retention). A company of the
    cohort that stopped paying counts 0; companies won since are not in the cohort. Every month of the ledger's span
    (one in which no company has a ledger row included) has a row when some company paid twelve months before. A
    cohort company whose currency no FX rate of this month converts, or whose MRR of this month is unknown (an
    `unconverted` ledger month), is left out of both sums (`unconverted_customers` counts them). A company paying in
    an unconverted month twelve months before is in the cohort: its mrr_local converts at this month's rate. -#}
with mrr as (

    select * from {{ ref('fct_mrr') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates__monthly') }}

),

months as (

    select month_start as month  -- noqa: RF04
    from (
        {{ month_spine('(select min(month) from mrr)', '(select max(month) from mrr)') | indent(8) }}
    ) as spine

),

cohort as (

    select
        months.month,
        earlier.company_id,
        earlier.currency,
        earlier.mrr_local as cohort_mrr_local
    from months
    inner join mrr as earlier
        on earlier.month = cast({{ dbt.dateadd('month', -12, 'months.month') }} as date)
    where earlier.is_active

),

measured as (

    select
        cohort.month,
        cohort.company_id,
        cohort.cohort_mrr_local
        * {{ reporting_rate('cohort.currency', 'fx_rates.rate_to_reporting') }} as cohort_mrr,
        -- no ledger row this month: stopped paying (0); an unconverted month: unknown (NULL)
        case when current_months.company_id is null then 0 else current_months.mrr end as current_mrr
    from cohort
    left join fx_rates
        on
            cohort.currency = fx_rates.currency
            and cohort.month = fx_rates.month_start
    left join mrr as current_months
        on
            cohort.company_id = current_months.company_id
            and cohort.month = current_months.month

),

flagged as (

    select
        *,
        cohort_mrr is not null and current_mrr is not null as is_converted
    from measured

),

final as (

    select
        month,
        cast(sum(case when is_converted then 1 else 0 end) as integer) as cohort_customers,
        cast(sum(case when is_converted and current_mrr > 0 then 1 else 0 end) as integer) as retained_customers,
        cast(sum(case when is_converted then 0 else 1 end) as integer) as unconverted_customers,
        cast(coalesce(sum(case when is_converted then cohort_mrr end), 0) as decimal(18, 2)) as cohort_mrr,
        cast(coalesce(sum(case when is_converted then current_mrr end), 0) as decimal(18, 2)) as retained_mrr,
        -- each company at most its cohort MRR: what gross retention keeps (no expansion)
        cast(coalesce(sum(
            case
                when not is_converted then null
                when current_mrr < cohort_mrr then current_mrr
                else cohort_mrr
            end
        ), 0) as decimal(18, 2)) as gross_retained_mrr
    from flagged
    group by month

)

select * from final
