-- Stripe bills an invoice as the sum of its lines: every staged invoice's lines add up to its header's subtotal,
-- and their discounts to its discount. Returns the invoices that do not, except an invoice some of whose lines
-- staging quarantined (quality.raw_quarantine holds them; the MRR counts what the arrived lines leave of its
-- header, int_invoice_headers__unstaged_amounts). A failure is an export that lost lines, or a staging or versioning
-- defect that dropped or doubled them: the MRR and the leakage checks read the lines. A warning, as it can come
-- from the export itself.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'stg_stripe__invoice'}}}) }}
with invoices as (

    select * from {{ ref('stg_stripe__invoice') }}

),

line_totals as (

    select
        invoice_id,
        count(*) as staged_lines,
        sum(amount) as line_amount,
        sum(coalesce(discount_amount, 0)) as line_discount_amount
    from {{ ref('stg_stripe__invoice_line_item') }}
    group by invoice_id

),

invoices_with_quarantined_lines as (

    select distinct invoice_id
    from {{ ref('base_stripe__invoice_line_item') }}
    where _quarantine_code is not null and invoice_id is not null

)

select
    invoices.invoice_id,
    invoices.invoice_status,
    invoices.subtotal_amount,
    invoices.discount_amount,
    coalesce(line_totals.staged_lines, 0) as staged_lines,
    coalesce(line_totals.line_amount, 0) as line_amount,
    coalesce(line_totals.line_discount_amount, 0) as line_discount_amount
from invoices
left join line_totals
    on invoices.invoice_id = line_totals.invoice_id
left join invoices_with_quarantined_lines
    on invoices.invoice_id = invoices_with_quarantined_lines.invoice_id
where
    invoices_with_quarantined_lines.invoice_id is null
    and (
        coalesce(line_totals.line_amount, 0) <> invoices.subtotal_amount
        or coalesce(line_totals.line_discount_amount, 0) <> coalesce(invoices.discount_amount, 0)
    )
