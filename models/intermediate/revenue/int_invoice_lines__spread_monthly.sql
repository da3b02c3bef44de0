{#- Recurring revenue of every invoice line (and of the credit notes against it) as a run-rate at each month end:
    a component counts its full monthly rate in every month whose end its service period covers. Grain: one row
    per revenue component (a line, an invoice header standing for lines that never reached staging, or a credit
    note's share of either) per month. Amounts in the invoice currency (major units). See the `mrr` doc block for
    the rules. -#}
with line_items as (

    select * from {{ ref('stg_stripe__invoice_line_item') }}

),

prices as (

    select * from {{ ref('stg_stripe__price') }}

),

invoices as (

    select * from {{ ref('stg_stripe__invoice') }}

),

credit_notes as (

    select * from {{ ref('stg_stripe__credit_note') }}

),

subscriptions as (

    select * from {{ ref('stg_stripe__subscription') }}

),

-- what the quarantined rows of an invoice still read (the parse model keeps a quarantined row's parseable values
-- beside its reason): its customer, and whether it is draft, void or uncollectible
quarantined_invoices as (

    select
        id as invoice_id,
        max(customer_id) as customer_id,
        max(case when lower(status) in ('draft', 'void', 'uncollectible') then 1 else 0 end) as is_unbillable
    from {{ ref('base_stripe__invoice') }}
    where _quarantine_code is not null and id is not null
    group by id

),

-- draft, void and uncollectible invoices carry no revenue. A line whose invoice is missing from staging (the
-- invoice row was quarantined, e.g. a downgrade proration with a negative total) is kept, its customer from its
-- subscription, else from the quarantined invoice row, unless that row reads draft, void or uncollectible.
billable_lines as (

    select
        line_items.*,
        coalesce(invoices.customer_id, subscriptions.customer_id, quarantined_invoices.customer_id) as customer_id
    from line_items
    left join invoices
        on line_items.invoice_id = invoices.invoice_id
    left join quarantined_invoices
        on line_items.invoice_id = quarantined_invoices.invoice_id
    left join subscriptions
        on line_items.subscription_id = subscriptions.subscription_id
    where
        invoices.invoice_status in ('open', 'paid')
        or (invoices.invoice_id is null and coalesce(quarantined_invoices.is_unbillable, 0) = 0)

),

-- a price row missing from staging (quarantined) is not a one-off: its interval is inferred from the full
-- (non-proration) lines billed at that price, as whole months between period start and end
unknown_price_intervals as (

    select
        billable_lines.price_id,
        max({{ dbt.datediff('billable_lines.period_start_at', 'billable_lines.period_end_at', 'month') }})
            as interval_months
    from billable_lines
    left join prices
        on billable_lines.price_id = prices.price_id
    where
        prices.price_id is null
        and billable_lines.price_id is not null
        and not coalesce(billable_lines.is_proration, false)
        and billable_lines.period_end_at > billable_lines.period_start_at
    group by billable_lines.price_id

),

-- lines of recurring prices only: one-off prices (no interval) and lines without a price are excluded
priced_lines as (

    select
        billable_lines.invoice_line_item_id as component_id,
        'invoice_line' as component_type,
        billable_lines.invoice_line_item_id,
        billable_lines.invoice_id,
        billable_lines.customer_id,
        billable_lines.currency,
        billable_lines.period_start_at,
        billable_lines.period_end_at,
        billable_lines.is_proration,
        coalesce(
            prices.recurring_interval_count * case when prices.recurring_interval = 'year' then 12 else 1 end,
            unknown_price_intervals.interval_months
        ) as interval_months,
        billable_lines.amount - coalesce(billable_lines.discount_amount, 0) as net_amount
    from billable_lines
    left join prices
        on billable_lines.price_id = prices.price_id
    left join unknown_price_intervals
        on billable_lines.price_id = unknown_price_intervals.price_id
    where
        billable_lines.customer_id is not null
        and (
            prices.recurring_interval is not null
            or (prices.price_id is null and unknown_price_intervals.interval_months > 0)
        )

),

-- A subscription invoice whose billed amount did not all reach staging as lines bills the rest by its header, as
-- the revenue-leakage mart reads it (int_invoice_headers__unstaged_amounts): when none of its lines arrived, its
-- subtotal less discount; when some were quarantined, what the staged lines leave of it. Spread over the header's
-- service period, whole months only (a proration period shorter than a month adds nothing, as without the
-- header); over its quarantined lines' own period instead where readable, at the header's interval. Without
-- it the ledger would read a churn and then a reactivation around the invoice, or fall short by the lost lines.
-- The header cannot tell a one-off fee from the recurring charges among lines that never arrived, so it counts
-- them as recurring (a quarantined line at a known one-off price leaves its invoice out).
header_components as (

    select
        invoice_id as component_id,
        'invoice_header' as component_type,
        cast(null as {{ dbt.type_string() }}) as invoice_line_item_id,
        invoice_id,
        customer_id,
        currency,
        period_start_at,
        period_end_at,
        cast(null as {{ dbt.type_boolean() }}) as is_proration,
        interval_months,
        net_amount
    from {{ ref('int_invoice_headers__unstaged_amounts') }}

),

recurring_lines as (

    select * from priced_lines
    union all
    select * from header_components

),

invoice_recurring_totals as (

    select
        invoice_id,
        sum(net_amount) as recurring_net_amount
    from recurring_lines
    group by invoice_id

),

invoice_credit_totals as (

    select
        invoice_id,
        sum(amount) as credited_amount
    from credit_notes
    group by invoice_id

),

-- a credit note reduces its invoice's recurring lines pro rata to their net amounts, over the same periods. The
-- invoice's credit notes together take at most its recurring net amount (each pro rata to its own amount): what
-- they credit beyond it (tax, a one-off fee) is not MRR, and must not cut the MRR of the customer's other invoices
credit_allocations as (

    select
        {{ dbt.concat(['credit_notes.credit_note_id', "'|'", 'recurring_lines.component_id']) }}
            as component_id,
        recurring_lines.invoice_line_item_id,
        recurring_lines.customer_id,
        recurring_lines.currency,
        recurring_lines.period_start_at,
        recurring_lines.period_end_at,
        recurring_lines.is_proration,
        recurring_lines.interval_months,
        -1 * credit_notes.amount * recurring_lines.net_amount
        / case
            when
                invoice_recurring_totals.recurring_net_amount > 0
                and invoice_credit_totals.credited_amount > invoice_recurring_totals.recurring_net_amount
                then invoice_credit_totals.credited_amount
            else invoice_recurring_totals.recurring_net_amount
        end as net_amount
    from credit_notes
    inner join invoice_recurring_totals
        on credit_notes.invoice_id = invoice_recurring_totals.invoice_id
    inner join invoice_credit_totals
        on credit_notes.invoice_id = invoice_credit_totals.invoice_id
    inner join recurring_lines
        on credit_notes.invoice_id = recurring_lines.invoice_id
    where invoice_recurring_totals.recurring_net_amount <> 0

),

components as (

    select
        component_id,
        component_type,
        invoice_line_item_id,
        customer_id,
        currency,
        period_start_at,
        period_end_at,
        is_proration,
        interval_months,
        net_amount
    from recurring_lines
    union all
    select
        component_id,
        'credit_note' as component_type,
        invoice_line_item_id,
        customer_id,
        currency,
        period_start_at,
        period_end_at,
        is_proration,
        interval_months,
        net_amount
    from credit_allocations

),

-- monthly rate = net amount x (full period / covered period) / interval months, both periods in seconds, as Stripe
-- prorates from the instant of a change (a proration from noon on 31 Jan to 5 Feb is 4.5 days, not the 5 day
-- boundaries it crosses). A line that is no proration bills one whole interval: its period is its full period,
-- whatever its length (Stripe clamps an anchor on the 29th-31st to a shorter month's last day, so a full period can
-- run 31 Jan -> 29 Feb, 29 days, while 29 Feb less a month is 29 Jan). A proration's full period is the interval
-- back from its end; so is a header's or a line's of unknown kind, unless its period is n whole months from its
-- start.
rated as (

    select
        component_id,
        component_type,
        invoice_line_item_id,
        customer_id,
        currency,
        period_start_at,
        period_end_at,
        interval_months,
        net_amount,
        {{ epoch_seconds('period_end_at') }} - {{ epoch_seconds('period_start_at') }} as covered_seconds,
        {{ epoch_seconds('period_end_at') }} - case
            when
                not is_proration
                or (
                    is_proration is null
                    and {{ dbt.dateadd('month', 'interval_months', 'period_start_at') }} = period_end_at
                )
                then {{ epoch_seconds('period_start_at') }}
            else {{ epoch_seconds(dbt.dateadd('month', '-1 * interval_months', 'period_end_at')) }}
        end as full_period_seconds
    from components
    where net_amount <> 0 and interval_months > 0

),

rates as (

    select
        *,
        cast(net_amount as {{ type_double() }}) * full_period_seconds / covered_seconds / interval_months
            as monthly_rate_amount
    from rated
    where covered_seconds > 0

),

months as (

    {{ month_spine('(select min(period_start_at) from rates)', '(select max(period_end_at) from rates)') | indent(4) }}

),

month_bounds as (

    select
        month_start,
        cast({{ dbt.dateadd('month', '1', 'month_start') }} as {{ dbt.type_timestamp() }}) as next_month_start_at
    from months

),

-- MRR is the run-rate at the end of the month (not revenue recognised by day): a component counts its full
-- monthly rate in a month when its service period [period_start, period_end) contains the month's last instant,
-- i.e. it starts before the next month and does not end before the next month starts
line_months as (

    select
        rates.component_id,
        rates.component_type,
        rates.invoice_line_item_id,
        rates.customer_id,
        rates.currency,
        month_bounds.month_start,
        rates.monthly_rate_amount
    from rates
    inner join month_bounds
        on
            rates.period_start_at < month_bounds.next_month_start_at
            and rates.period_end_at >= month_bounds.next_month_start_at

),

final as (

    select
        component_id,
        component_type,
        invoice_line_item_id,
        customer_id,
        currency,
        month_start,
        monthly_rate_amount,
        cast(round(cast(monthly_rate_amount as decimal(38, 10)), 6) as decimal(38, 6)) as mrr_local_amount
    from line_months

)

select * from final
