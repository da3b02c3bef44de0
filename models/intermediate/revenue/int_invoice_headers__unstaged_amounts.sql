{#- Open and paid subscription invoices whose billed amount did not all reach staging as lines, with what the MRR
    counts for the part that did not: the header's subtotal less discount, less the net amounts of the lines that
    were staged, at the header's billing interval (its whole months). Two cases:
      - none of the invoice's lines reached staging (a bad value quarantined them all, or the export lost them):
        the whole header counts;
      - some of its lines were quarantined (quality.raw_quarantine holds them): the remainder counts, unless a
        quarantined line is billed at a known one-off price (no recurring interval), which is not MRR and cannot
        be told apart from the rest of the remainder.
    Either way, what quarantined lines stand for covers their own service period where their bad values leave it
    readable (a proration for the last two months of an annual invoice counts in those two months, not over the
    year), kept within the header's period. A bound that did not parse is the invoice's staged proration lines'
    for a proration line (an upgrade's credit and charge share their days), else the header's; lines that never
    arrived at all cover the header's period.
    Grain: one row per such invoice with something to count. A table of its own so that engines which inline every
    CTE (Spark) plan int_invoice_lines__spread_monthly without these joins and the whole-months expression. -#}
with invoices as (

    select * from {{ ref('stg_stripe__invoice') }}

),

prices as (

    select * from {{ ref('stg_stripe__price') }}

),

staged_lines as (

    select
        invoice_id,
        sum(amount - coalesce(discount_amount, 0)) as staged_net_amount
    from {{ ref('stg_stripe__invoice_line_item') }}
    where invoice_id is not null
    group by invoice_id

),

-- the window of the invoice's staged proration lines: a quarantined proration line's bound that did not parse is
-- theirs (an upgrade bills its credit and its charge over the same days)
staged_prorations as (

    select
        invoice_id,
        min(period_start_at) as period_start_at,
        max(period_end_at) as period_end_at
    from {{ ref('stg_stripe__invoice_line_item') }}
    where invoice_id is not null and is_proration
    group by invoice_id

),

-- the parse model keeps a quarantined line's parseable values (its invoice and price, its period) beside its
-- reason. The lines' period: the earliest start and the latest end among them, a bound a line lacks (unparseable)
-- being its invoice's staged prorations' for a proration line, else the header's; all kept within the header's
-- period (a quarantined value may be implausible, 1970 say)
quarantined_lines as (

    select
        line_items.invoice_id,
        max(
            case when prices.price_id is not null and prices.recurring_interval is null then 1 else 0 end
        ) as has_one_off_line,
        min(
            case
                when line_items.period_start > invoices.period_start_at then line_items.period_start
                when
                    line_items.period_start is null and line_items.proration
                    and staged_prorations.period_start_at > invoices.period_start_at
                    then staged_prorations.period_start_at
                else invoices.period_start_at
            end
        ) as lines_period_start_at,
        max(
            case
                when line_items.period_end < invoices.period_end_at then line_items.period_end
                when
                    line_items.period_end is null and line_items.proration
                    and staged_prorations.period_end_at < invoices.period_end_at
                    then staged_prorations.period_end_at
                else invoices.period_end_at
            end
        ) as lines_period_end_at
    from {{ ref('base_stripe__invoice_line_item') }} as line_items
    inner join invoices
        on line_items.invoice_id = invoices.invoice_id
    left join staged_prorations
        on line_items.invoice_id = staged_prorations.invoice_id
    left join prices
        on line_items.price_id = prices.price_id
    where line_items._quarantine_code is not null
    group by line_items.invoice_id

),

unstaged as (

    select
        invoices.invoice_id,
        invoices.customer_id,
        invoices.currency,
        invoices.period_start_at as header_period_start_at,
        invoices.period_end_at as header_period_end_at,
        -- what the quarantined lines stand for covers their period, unless that is empty (their own lay outside
        -- the header's); lines the export lost (none quarantined) cover the header's
        case
            when quarantined_lines.lines_period_start_at < quarantined_lines.lines_period_end_at
                then quarantined_lines.lines_period_start_at
            else invoices.period_start_at
        end as period_start_at,
        case
            when quarantined_lines.lines_period_start_at < quarantined_lines.lines_period_end_at
                then quarantined_lines.lines_period_end_at
            else invoices.period_end_at
        end as period_end_at,
        case when staged_lines.invoice_id is null then 'no_staged_line' else 'quarantined_lines' end
            as unstaged_reason,
        invoices.subtotal_amount - coalesce(invoices.discount_amount, 0)
        - coalesce(staged_lines.staged_net_amount, 0) as net_amount
    from invoices
    left join staged_lines
        on invoices.invoice_id = staged_lines.invoice_id
    left join quarantined_lines
        on invoices.invoice_id = quarantined_lines.invoice_id
    where
        invoices.invoice_status in ('open', 'paid')
        and invoices.subscription_id is not null
        and invoices.customer_id is not null
        and (
            staged_lines.invoice_id is null
            or (quarantined_lines.invoice_id is not null and quarantined_lines.has_one_off_line = 0)
        )

),

final as (

    select
        invoice_id,
        customer_id,
        currency,
        period_start_at,
        period_end_at,
        -- the billing interval: the header's whole months, whatever part of them the amount covers
        cast({{ period_whole_months('header_period_start_at', 'header_period_end_at') }} as {{ dbt.type_int() }})
            as interval_months,
        cast(unstaged_reason as {{ dbt.type_string() }}) as unstaged_reason,
        cast(net_amount as decimal(38, 6)) as net_amount
    from unstaged
    -- a quarantined line whose invoice's other lines already add up to the header (a superseded version, say)
    -- leaves nothing to count
    where unstaged_reason = 'no_staged_line' or net_amount <> 0

)

select * from final
