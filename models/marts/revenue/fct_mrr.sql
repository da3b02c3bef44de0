{#- The MRR ledger: one row per company per month on a date spine from the company's first MRR month through the
    month after its last (the churn row, MRR 0), gaps between churn and reactivation included, up to the
    ledger's as-of month.
    Movements are in constant currency: for a company paying in both months, its previous month's MRR is restated
    at this month's rate (previous mrr_local x this month's mrr / mrr_local, rounded); movement_amount = mrr -
    that restatement (expansion > 0, contraction < 0, else unchanged) and fx_amount = the restatement - the
    previous mrr, so an unchanged EUR contract is `unchanged` whatever EUR/USD does. New, reactivation and churn
    have no FX part. movement_amount + fx_amount = mrr - previous mrr (all 2-decimal), so a month's movements
    and FX add up exactly to the change in total MRR.
    A month with revenue that no FX rate converts (int_mrr__company_monthly: a row with mrr NULL) is not a month
    without revenue: it keeps mrr NULL and mrr_local as known, movement `unconverted` with no amounts, and counts in
    the company's span; the next converted month compares with the last converted month before it (no fake churn
    and reactivation), so within a company the movements and FX still add up to the change in MRR. -#}
with company_months as (

    select * from {{ ref('int_mrr__company_monthly') }}

),

as_of as (

    select max(as_of_month) as as_of_month
    from company_months

),

months as (

    {{ month_spine('(select min(month_start) from company_months)', '(select max(as_of_month) from as_of)')
        | indent(4) }}

),

company_spans as (

    select
        company_id,
        min(currency) as currency,
        min(month_start) as first_mrr_month,
        max(month_start) as last_mrr_month
    from company_months
    -- a month with revenue: MRR > 0, or unconverted with mrr_local > 0 (or unknown too: billed in several currencies)
    where coalesce(mrr, mrr_local, 1) > 0
    group by company_id

),

spine as (

    select
        company_spans.company_id,
        company_spans.currency,
        months.month_start
    from company_spans
    inner join months
        on
            company_spans.first_mrr_month <= months.month_start
            and months.month_start <= {{ dbt.dateadd('month', '1', 'company_spans.last_mrr_month') }}
    cross join as_of
    where months.month_start <= as_of.as_of_month

),

filled as (

    {#- no company_months row: no revenue that month (MRR 0); a row with mrr NULL: revenue no FX rate converts -#}
    select
        spine.company_id,
        spine.month_start,
        spine.currency,
        case when company_months.company_id is null then 0 else company_months.mrr end as mrr,
        case when company_months.company_id is null then 0 else company_months.mrr_local end as mrr_local,
        row_number() over (partition by spine.company_id order by spine.month_start) as month_number
    from spine
    left join company_months
        on
            spine.company_id = company_months.company_id
            and spine.month_start = company_months.month_start

),

last_converted as (

    {#- the company's last converted month before this one (a running max: portable, no `ignore nulls`) -#}
    select
        *,
        max(case when mrr is not null then month_number end) over (
            partition by company_id
            order by month_start
            rows between unbounded preceding and 1 preceding
        ) as previous_converted_number
    from filled

),

with_previous as (

    select
        last_converted.company_id,
        last_converted.month_start,
        last_converted.currency,
        last_converted.mrr,
        last_converted.mrr_local,
        last_converted.previous_converted_number,
        coalesce(previous_months.mrr, 0) as previous_mrr,
        coalesce(previous_months.mrr_local, 0) as previous_mrr_local
    from last_converted
    left join filled as previous_months
        on
            last_converted.company_id = previous_months.company_id
            and last_converted.previous_converted_number = previous_months.month_number

),

restated as (

    {#- the previous month's MRR at this month's rate, for a company paying in both months; else the previous MRR
        (a company billed in the reporting currency, or in several, has mrr_local = mrr: nothing to restate) -#}
    select
        *,
        case
            when
                mrr > 0 and previous_mrr > 0 and mrr_local > 0
                and currency <> '{{ var("reporting_currency") }}'
                then cast(round(cast(previous_mrr_local * mrr / mrr_local as decimal(38, 10)), 2) as decimal(18, 2))
            else previous_mrr
        end as previous_mrr_restated
    from with_previous

),

classified as (

    select
        company_id,
        month_start,
        currency,
        mrr,
        mrr_local,
        previous_mrr,
        {#- previous_mrr: the last converted month's (0 when there is none) -#}
        case
            when mrr is null then 'unconverted'
            when mrr > 0 and previous_converted_number is null then 'new'
            when mrr > 0 and previous_mrr <= 0 then 'reactivation'
            when mrr <= 0 and previous_mrr > 0 then 'churn'
            when mrr > previous_mrr_restated then 'expansion'
            when mrr < previous_mrr_restated then 'contraction'
            else 'unchanged'
        end as movement,
        mrr - previous_mrr_restated as movement_amount,
        case when mrr is not null then previous_mrr_restated - previous_mrr end as fx_amount
    from restated

),

final as (

    select
        {{ dbt.concat(['company_id', "'|'", dbt.cast('month_start', dbt.type_string())]) }} as company_month_id,
        company_id,
        cast(month_start as date) as month,  -- noqa: RF04
        cast(mrr as decimal(18, 2)) as mrr,
        cast(mrr_local as decimal(18, 2)) as mrr_local,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(movement as {{ dbt.type_string() }}) as movement,
        cast(movement_amount as decimal(18, 2)) as movement_amount,
        cast(fx_amount as decimal(18, 2)) as fx_amount,
        coalesce(mrr, mrr_local, 1) > 0 as is_active
    from classified

)

select * from final
