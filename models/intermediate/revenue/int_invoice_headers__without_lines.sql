{#- Open and paid subscription invoices none of whose lines reached staging (a bad value quarantined them all),
    with what the MRR counts for them in place of their lines: subtotal less discount over the header's service
    period, as the revenue-leakage mart reads the header. Grain: one row per such invoice. A table of its own so
    that engines which inline every CTE (Spark) plan int_invoice_lines__spread_monthly without this anti-join
    and the whole-months expression in it. -#}
with invoices as (

    select * from {{ ref('stg_stripe__invoice') }}

),

line_invoices as (

    select distinct invoice_id from {{ ref('stg_stripe__invoice_line_item') }}
    where invoice_id is not null

),

final as (

    select
        invoices.invoice_id,
        invoices.customer_id,
        invoices.currency,
        invoices.period_start_at,
        invoices.period_end_at,
        cast(
            {{ period_whole_months('invoices.period_start_at', 'invoices.period_end_at') }} as {{ dbt.type_int() }}
        ) as interval_months,
        cast(invoices.subtotal_amount - coalesce(invoices.discount_amount, 0) as decimal(38, 6)) as net_amount
    from invoices
    left join line_invoices
        on invoices.invoice_id = line_invoices.invoice_id
    where
        line_invoices.invoice_id is null
        and invoices.invoice_status in ('open', 'paid')
        and invoices.subscription_id is not null
        and invoices.customer_id is not null

)

select * from final
