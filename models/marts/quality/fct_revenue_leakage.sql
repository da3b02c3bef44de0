{#- One row per revenue-leakage case: money the company is owed, or about to lose, because CRM and billing
    disagree. Every row names the systems' ids a person needs to fix it (docs: fct_revenue_leakage).
    Policy vars (dbt_project.yml vars:, with a comment each; override with --vars):
      leakage_payment_terms_days (30)   due date of an invoice that has none: created + this many days
      leakage_invoice_grace_days (31)   a closed-won deal must be invoiced within this many days of its close
      leakage_allowed_discount (0.0)    documented discount policy: billing may invoice this share below the
                                        contracted (CRM) amount, which already carries the approved discount
      leakage_renewal_window_days (90)  yearly renewals due within this many days need a renewal opportunity -#}
with opportunities as (

    select * from {{ ref('stg_salesforce__opportunity') }}

),

intervals as (

    select * from {{ ref('int_opportunity_history__intervals') }}

),

invoices as (

    select * from {{ ref('stg_stripe__invoice') }}

),

invoice_lines as (

    select * from {{ ref('stg_stripe__invoice_line_item') }}

),

-- what the staged lines leave of an invoice some of whose lines were quarantined (the MRR counts it the same way)
unstaged_remainders as (

    select
        invoice_id,
        net_amount
    from {{ ref('int_invoice_headers__unstaged_amounts') }}
    where unstaged_reason = 'quarantined_lines'

),

credit_notes as (

    select * from {{ ref('stg_stripe__credit_note') }}

),

charges as (

    select * from {{ ref('stg_stripe__charge') }}

),

subscriptions as (

    select * from {{ ref('stg_stripe__subscription') }}

),

subscription_items as (

    select * from {{ ref('stg_stripe__subscription_item') }}

),

prices as (

    select * from {{ ref('stg_stripe__price') }}

),

companies as (

    select * from {{ ref('int_billing_customers__companies') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates__monthly') }}

),

-- The reference date: the Stripe export (its _loaded_at), so a rebuild on the same files gives the same rows; an
-- export without the optional _loaded_at column is dated by its latest invoice, as the MRR ledger's last month is
-- (int_mrr__company_monthly), never NULL (every check dated against it would find nothing).
as_of as (

    select cast(coalesce(max(_loaded_at), max(created_at)) as date) as as_of_date
    from invoices

),

-- A CRM account and a billing customer are the same company when the project's one crosswalk maps both to the
-- same company_id (int_billing_customers__companies: the identity layer's xref_companies shape).
billing_companies as (

    select
        source_id as customer_id,
        company_id
    from companies
    where source_system = 'stripe' and source_table = 'customer'

),

account_companies as (

    select
        source_id as account_id,
        company_id
    from companies
    where source_system = 'salesforce' and source_table = 'account'

),

-- A closed deal's close date by the sales marts' rule (macro opportunity_close_dates): the CRM's, unless it is missing
-- or later than the export, then the day its stage last became closed. A won deal typed with a close date years
-- ahead is checked from when it really closed, not never; one without a close date is checked too.
close_dates as (

    {{ opportunity_close_dates('opportunities', 'intervals') | indent(4) }}

),

crm_opportunities as (

    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.opportunity_type,
        opportunities.stage_name,
        opportunities.acv_amount,
        opportunities.currency,
        close_dates.close_date,
        opportunities.is_closed,
        opportunities.is_won,
        coalesce(account_companies.company_id, opportunities.account_id) as company_id
    from opportunities
    inner join close_dates
        on opportunities.opportunity_id = close_dates.opportunity_id
    left join account_companies
        on opportunities.account_id = account_companies.account_id
    where not coalesce(opportunities.is_deleted, false)

),

company_invoices as (

    select
        invoices.invoice_id,
        invoices.customer_id,
        invoices.subscription_id,
        -- an invoice of a customer the crosswalk does not know is still owed: keyed by its customer
        coalesce(billing_companies.company_id, invoices.customer_id) as company_id,
        invoices.invoice_status,
        invoices.currency,
        invoices.subtotal_amount,
        invoices.discount_amount,
        invoices.total_amount,
        invoices.paid_amount,
        invoices.due_amount,
        invoices.created_at,
        coalesce(
            invoices.due_at,
            {{ dbt.dateadd('day', var('leakage_payment_terms_days'), 'invoices.created_at') }}
        ) as due_at,
        invoices.period_start_at,
        invoices.period_end_at
    from invoices
    left join billing_companies
        on invoices.customer_id = billing_companies.customer_id
    -- a void invoice was cancelled; a draft was never finalised, so never sent nor collectable: neither bills
    where invoices.invoice_status not in ('void', 'draft')

),

-- Recurring charges per invoice (SOURCES.md: recurring revenue comes from the line items of recurring prices): a line
-- of a price without an interval is one-off (an onboarding or setup fee); a line whose price is missing from
-- staging is recurring when it covers a service period (as int_invoice_lines__spread_monthly reads it).
classified_invoice_lines as (

    select
        invoice_lines.invoice_id,
        invoice_lines.amount,
        invoice_lines.amount - coalesce(invoice_lines.discount_amount, 0) as net_amount,
        case
            when prices.price_id is not null then prices.recurring_interval is not null
            else invoice_lines.period_end_at > invoice_lines.period_start_at
        end as is_recurring
    from invoice_lines
    left join prices
        on invoice_lines.price_id = prices.price_id

),

invoice_recurring_charges as (

    select
        invoice_id,
        sum(case when is_recurring then amount else 0 end) as recurring_amount,
        sum(case when is_recurring then net_amount else 0 end) as recurring_net_amount
    from classified_invoice_lines
    group by invoice_id

),

-- Credit notes (refunds) reduce their invoice's recurring charges, as in the MRR (int_invoice_lines__spread_monthly).
invoice_credits as (

    select
        invoice_id,
        sum(amount) as credited_amount
    from credit_notes
    group by invoice_id

),

-- When each subscription first billed: a new-business deal is billed on a subscription that starts with it.
subscription_first_invoices as (

    select
        subscription_id,
        min(created_at) as first_invoiced_at
    from company_invoices
    where subscription_id is not null
    group by subscription_id

),

invoice_billed_amounts as (

    select
        company_invoices.invoice_id,
        company_invoices.customer_id,
        company_invoices.subscription_id,
        company_invoices.company_id,
        company_invoices.currency,
        company_invoices.created_at,
        company_invoices.period_start_at,
        company_invoices.period_end_at,
        -- an invoice whose lines never arrived by its header; one that lost some to the quarantine adds what its
        -- staged lines leave of its header (net of discounts: the gross figure is only tested for being above 0)
        coalesce(invoice_recurring_charges.recurring_amount, company_invoices.subtotal_amount)
        + coalesce(unstaged_remainders.net_amount, 0) as recurring_amount,
        coalesce(
            invoice_recurring_charges.recurring_net_amount,
            company_invoices.subtotal_amount - company_invoices.discount_amount
        ) + coalesce(unstaged_remainders.net_amount, 0) as recurring_net_amount,
        coalesce(invoice_credits.credited_amount, 0) as credited_amount,
        coalesce(subscription_first_invoices.first_invoiced_at, company_invoices.created_at)
            as subscription_first_invoiced_at
    from company_invoices
    left join invoice_recurring_charges
        on company_invoices.invoice_id = invoice_recurring_charges.invoice_id
    left join unstaged_remainders
        on company_invoices.invoice_id = unstaged_remainders.invoice_id
    left join invoice_credits
        on company_invoices.invoice_id = invoice_credits.invoice_id
    left join subscription_first_invoices
        on company_invoices.subscription_id = subscription_first_invoices.subscription_id

),

-- The invoices that can bill a deal: those with recurring charges, at their recurring amount net of discounts and
-- credit notes. A 0 trial invoice or one of one-off lines only is not a deal's first invoice, nor is one credited
-- in full (cancelled in effect, as when it is re-issued), and a one-off fee beside the first recurring charges is not
-- annualised with them. An invoice whose lines never arrived counts by its header; one that lost some lines to the
-- quarantine adds what its staged lines leave of its header.
recurring_invoices as (

    select
        invoice_id,
        customer_id,
        subscription_id,
        company_id,
        currency,
        created_at,
        period_start_at,
        period_end_at,
        subscription_first_invoiced_at,
        recurring_net_amount - credited_amount as recurring_net_amount,
        -- the months the invoice bills (a prorated period: part of one)
        {{ period_months('period_start_at', 'period_end_at') }} as period_months
    from invoice_billed_amounts
    where
        recurring_amount > 0
        and (credited_amount = 0 or credited_amount < recurring_net_amount)

),

-- A deal entered twice in the CRM (closed-won new business of the same company, amount, currency and close date)
-- is one deal, not two to invoice: the lowest opportunity id stands for it. A deal missing its amount, currency or
-- close date is nobody's duplicate (fct_opportunities.is_duplicate_entry's rule).
ranked_won_new_business as (

    select
        *,
        case
            when acv_amount is null or currency is null or close_date is null then 1
            else row_number() over (
                partition by company_id, acv_amount, currency, close_date
                order by opportunity_id
            )
        end as entry_rank
    from crm_opportunities
    where is_won and opportunity_type = 'New Business'

),

won_new_business as (

    select
        opportunity_id,
        account_id,
        opportunity_type,
        stage_name,
        acv_amount,
        currency,
        close_date,
        is_closed,
        is_won,
        company_id
    from ranked_won_new_business
    where entry_rank = 1

),

-- 1. Closed-won new business with no invoice of recurring charges to its company on or after the close date (less
-- the grace days), on a subscription first billed then too: an invoice of a subscription billed before (the
-- company's earlier business, its monthly invoices going on after the close) is not the new deal's. The deal's first
-- invoice is its first of whole months; a prorated stub before it (Jan 15 -> Feb 1 for a plan billed on the 1st)
-- only while none has come.
first_invoice_after_close as (

    select
        won_new_business.opportunity_id,
        recurring_invoices.invoice_id,
        recurring_invoices.customer_id,
        recurring_invoices.subscription_id,
        recurring_invoices.currency,
        recurring_invoices.recurring_net_amount as net_amount,
        cast({{ dbt.date_trunc('month', 'recurring_invoices.created_at') }} as date) as invoice_month,
        recurring_invoices.period_months,
        -- a prorated first period (a billing anchor's stub) is compared only while no invoice of whole months follows
        row_number() over (
            partition by won_new_business.opportunity_id
            order by
                case
                    when recurring_invoices.period_months = floor(recurring_invoices.period_months) then 0
                    else 1
                end,
                recurring_invoices.created_at,
                recurring_invoices.invoice_id
        ) as invoice_rank
    from won_new_business
    inner join recurring_invoices
        on
            won_new_business.company_id = recurring_invoices.company_id
            and recurring_invoices.subscription_first_invoiced_at >= {{ dbt.dateadd(
                'day', -1 * var('leakage_invoice_grace_days'), 'won_new_business.close_date') }}

),

first_invoices as (

    select *
    from first_invoice_after_close
    where invoice_rank = 1

),

-- The first invoice's recurring net amount in the deal's currency: as it is when both agree, else converted at the FX
-- rates of the invoice's month (the reporting currency at 1 whether or not the FX export lists it); NULL without a
-- rate.
first_invoices_in_deal_currency as (

    select
        first_invoices.*,
        case
            when first_invoices.currency = won_new_business.currency then first_invoices.net_amount
            else cast(
                first_invoices.net_amount * {{ safe_divide(
                    reporting_rate('first_invoices.currency', 'invoice_rates.rate_to_reporting'),
                    reporting_rate('won_new_business.currency', 'deal_rates.rate_to_reporting')
                ) }} as decimal(18, 2)
            )
        end as net_amount_deal_currency
    from first_invoices
    inner join won_new_business
        on first_invoices.opportunity_id = won_new_business.opportunity_id
    left join fx_rates as invoice_rates
        on
            first_invoices.currency = invoice_rates.currency
            and first_invoices.invoice_month = invoice_rates.month_start
    left join fx_rates as deal_rates
        on
            won_new_business.currency = deal_rates.currency
            and first_invoices.invoice_month = deal_rates.month_start

),

never_invoiced as (

    select
        'closed_won_not_invoiced' as leakage_type,
        won_new_business.company_id,
        won_new_business.account_id as salesforce_account_id,
        won_new_business.opportunity_id as salesforce_opportunity_id,
        cast(null as {{ dbt.type_string() }}) as stripe_customer_id,
        cast(null as {{ dbt.type_string() }}) as stripe_subscription_id,
        cast(null as {{ dbt.type_string() }}) as stripe_invoice_id,
        won_new_business.acv_amount as amount_at_risk_local,
        won_new_business.currency,
        won_new_business.close_date as reference_date,
        'closed-won opportunity has no invoice' as detail
    from won_new_business
    inner join as_of
        on
            {{ dbt.dateadd('day', var('leakage_invoice_grace_days'), 'won_new_business.close_date') }}
            < as_of.as_of_date
    left join first_invoices
        on won_new_business.opportunity_id = first_invoices.opportunity_id
    where first_invoices.opportunity_id is null

),

-- 2. The recurring charges of the first invoice after the close, annualised (in the deal's currency) over the exact
-- months its period covers (a prorated first period of half a month bills half a month), below the contracted amount
-- less the allowed discount.
under_invoiced as (

    select
        'invoiced_below_contract' as leakage_type,
        won_new_business.company_id,
        won_new_business.account_id as salesforce_account_id,
        won_new_business.opportunity_id as salesforce_opportunity_id,
        first_invoices.customer_id as stripe_customer_id,
        first_invoices.subscription_id as stripe_subscription_id,
        first_invoices.invoice_id as stripe_invoice_id,
        won_new_business.acv_amount
        - {{ safe_divide('first_invoices.net_amount_deal_currency * 12', 'first_invoices.period_months') }}
            as amount_at_risk_local,
        won_new_business.currency,
        won_new_business.close_date as reference_date,
        case
            when first_invoices.currency = won_new_business.currency
                then 'annualised first invoice below the contracted amount'
            else {{ dbt.concat([
                "'annualised first invoice below the contracted amount (invoiced in '",
                'first_invoices.currency',
                "', converted at the rates of the invoice month)'",
            ]) }}
        end as detail
    from won_new_business
    inner join first_invoices_in_deal_currency as first_invoices
        on won_new_business.opportunity_id = first_invoices.opportunity_id
    where
        first_invoices.period_months > 0
        -- compared without a division, so an exact annual invoice never reads as a cent short
        and first_invoices.net_amount_deal_currency * 12
        < won_new_business.acv_amount * (1 - {{ var('leakage_allowed_discount') }}) * first_invoices.period_months

),

-- 2b. A first invoice that no FX rate of its month converts to the deal's currency cannot be compared with the
-- contract: listed as unchecked (its amount unknown, NULL), rather than passing as neither of the two above.
unchecked_no_fx_rate as (

    select
        'unchecked_no_fx_rate' as leakage_type,
        won_new_business.company_id,
        won_new_business.account_id as salesforce_account_id,
        won_new_business.opportunity_id as salesforce_opportunity_id,
        first_invoices.customer_id as stripe_customer_id,
        first_invoices.subscription_id as stripe_subscription_id,
        first_invoices.invoice_id as stripe_invoice_id,
        cast(null as decimal(18, 2)) as amount_at_risk_local,
        won_new_business.currency,
        won_new_business.close_date as reference_date,
        {{ dbt.concat([
            "'first invoice (in '",
            'first_invoices.currency',
            "') not compared with the contract (in '",
            'won_new_business.currency',
            "'): no FX rate of the invoice month converts it'",
        ]) }} as detail
    from won_new_business
    inner join first_invoices_in_deal_currency as first_invoices
        on won_new_business.opportunity_id = first_invoices.opportunity_id
    where first_invoices.net_amount_deal_currency is null and first_invoices.net_amount is not null

),

-- 3. Invoices still owed after their due date (open, or written off as uncollectible).
unpaid_past_due as (

    select
        'invoice_unpaid_past_due' as leakage_type,
        company_invoices.company_id,
        cast(null as {{ dbt.type_string() }}) as salesforce_account_id,
        cast(null as {{ dbt.type_string() }}) as salesforce_opportunity_id,
        company_invoices.customer_id as stripe_customer_id,
        company_invoices.subscription_id as stripe_subscription_id,
        company_invoices.invoice_id as stripe_invoice_id,
        company_invoices.due_amount - coalesce(company_invoices.paid_amount, 0) as amount_at_risk_local,
        company_invoices.currency,
        cast(company_invoices.due_at as date) as reference_date,
        {{ dbt.concat(["'invoice '", "company_invoices.invoice_status", "' past its due date'"]) }} as detail
    from company_invoices
    inner join as_of
        on cast(company_invoices.due_at as date) < as_of.as_of_date
    where
        company_invoices.invoice_status in ('open', 'uncollectible')
        and company_invoices.due_amount - coalesce(company_invoices.paid_amount, 0) > 0

),

-- Billing status per company: live when any subscription is live; its yearly run-rate from live items.
subscription_amounts as (

    select
        subscription_items.subscription_id,
        prices.currency,
        sum(
            prices.unit_amount * subscription_items.quantity
            * case when prices.recurring_interval = 'year' then 1 else 12 end
            / coalesce(nullif(prices.recurring_interval_count, 0), 1)
        ) as annual_amount,
        max(case when prices.recurring_interval = 'year' then 1 else 0 end) as is_yearly
    from subscription_items
    inner join prices
        on subscription_items.price_id = prices.price_id
    where subscription_items.deleted_at is null and prices.recurring_interval is not null
    group by subscription_items.subscription_id, prices.currency

),

company_subscriptions as (

    select
        subscriptions.subscription_id,
        subscriptions.customer_id,
        billing_companies.company_id,
        subscriptions.subscription_status,
        subscriptions.is_cancel_at_period_end,
        subscriptions.current_period_end_at,
        subscription_amounts.currency,
        subscription_amounts.annual_amount,
        subscription_amounts.is_yearly,
        -- when the subscription stopped billing: ended, else canceled, else its period's end
        coalesce(subscriptions.ended_at, subscriptions.canceled_at, subscriptions.current_period_end_at)
            as billing_end_at,
        subscriptions.subscription_status in ('active', 'trialing', 'past_due', 'unpaid') as is_live
    from subscriptions
    inner join billing_companies
        on subscriptions.customer_id = billing_companies.customer_id
    left join subscription_amounts
        on subscriptions.subscription_id = subscription_amounts.subscription_id

),

billing_status as (

    select
        company_id,
        max(customer_id) as customer_id,
        max(case when is_live then 1 else 0 end) as is_live,
        -- the day the company's billing stopped (meaningful when no subscription is live)
        max(billing_end_at) as billing_ended_at
    from company_subscriptions
    group by company_id

),

-- CRM status per account: a customer after a won deal, churned after a lost renewal that came later.
crm_status as (

    select
        company_id,
        account_id,
        max(case when is_won then close_date end) as last_won_date,
        max(case when is_closed and not is_won and opportunity_type = 'Renewal' then close_date end)
            as last_lost_renewal_date,
        max(case when is_won then opportunity_id end) as won_opportunity_id,
        max(case when is_closed and not is_won and opportunity_type = 'Renewal' then opportunity_id end)
            as lost_renewal_opportunity_id
    from crm_opportunities
    group by company_id, account_id

),

crm_billing as (

    select
        crm_status.company_id,
        crm_status.account_id,
        crm_status.won_opportunity_id,
        crm_status.lost_renewal_opportunity_id,
        billing_status.customer_id,
        billing_status.is_live,
        billing_status.billing_ended_at,
        crm_status.last_lost_renewal_date,
        coalesce(crm_status.last_lost_renewal_date < crm_status.last_won_date, true) as is_crm_active
    from crm_status
    inner join billing_status
        on crm_status.company_id = billing_status.company_id
    where crm_status.last_won_date is not null

),

-- The company's last invoice with recurring charges, at their net less credit notes (recurring_invoices, as the
-- first-invoice checks read it): a one-off fee beside them, or an invoice of one-off lines only, is no run-rate.
ranked_invoices as (

    select
        company_id,
        currency,
        recurring_net_amount as net_amount,
        period_months,
        -- an invoice without a date is never the last one, on any engine (PostgreSQL sorts NULL first in a
        -- descending order, DuckDB and Spark last)
        row_number() over (partition by company_id order by created_at desc nulls last, invoice_id desc) as invoice_rank
    from recurring_invoices

),

last_invoice_amounts as (

    select
        company_id,
        currency,
        net_amount,
        period_months
    from ranked_invoices
    where invoice_rank = 1

),

-- 4. Billing says churned while the CRM still shows a customer, and the reverse: at risk, the last invoice's
-- recurring charges annualised (0 without one).
status_mismatch as (

    select
        case
            when crm_billing.is_live = 0 then 'churned_in_billing_active_in_crm'
            else 'active_in_billing_churned_in_crm'
        end as leakage_type,
        crm_billing.company_id,
        crm_billing.account_id as salesforce_account_id,
        case
            when crm_billing.is_live = 0 then crm_billing.won_opportunity_id
            else crm_billing.lost_renewal_opportunity_id
        end as salesforce_opportunity_id,
        crm_billing.customer_id as stripe_customer_id,
        cast(null as {{ dbt.type_string() }}) as stripe_subscription_id,
        cast(null as {{ dbt.type_string() }}) as stripe_invoice_id,
        coalesce(
            {{ safe_divide('last_invoice_amounts.net_amount * 12', 'last_invoice_amounts.period_months') }}, 0
        ) as amount_at_risk_local,
        last_invoice_amounts.currency,
        -- the day billing stopped, resp. the CRM lost the renewal
        case
            when crm_billing.is_live = 0 then cast(crm_billing.billing_ended_at as date)
            else crm_billing.last_lost_renewal_date
        end as reference_date,
        case
            when crm_billing.is_live = 0 then 'no live subscription while the CRM shows an active customer'
            else 'live subscription while the CRM lost the renewal'
        end as detail
    from crm_billing
    left join last_invoice_amounts
        on crm_billing.company_id = last_invoice_amounts.company_id
    where
        (crm_billing.is_live = 0 and crm_billing.is_crm_active)
        or (crm_billing.is_live = 1 and not crm_billing.is_crm_active)

),

-- 5. Yearly subscriptions renewing within the window with no open renewal opportunity on the account.
open_renewals as (

    select distinct company_id
    from crm_opportunities
    where opportunity_type = 'Renewal' and not is_closed

),

renewals_due as (

    select
        'renewal_without_opportunity' as leakage_type,
        company_subscriptions.company_id,
        cast(null as {{ dbt.type_string() }}) as salesforce_account_id,
        cast(null as {{ dbt.type_string() }}) as salesforce_opportunity_id,
        company_subscriptions.customer_id as stripe_customer_id,
        company_subscriptions.subscription_id as stripe_subscription_id,
        cast(null as {{ dbt.type_string() }}) as stripe_invoice_id,
        company_subscriptions.annual_amount as amount_at_risk_local,
        company_subscriptions.currency,
        cast(company_subscriptions.current_period_end_at as date) as reference_date,
        'yearly subscription renews within the window without a renewal opportunity' as detail
    from company_subscriptions
    inner join as_of
        on
            cast(company_subscriptions.current_period_end_at as date) >= as_of.as_of_date
            and cast(company_subscriptions.current_period_end_at as date)
            < {{ dbt.dateadd('day', var('leakage_renewal_window_days'), 'as_of.as_of_date') }}
    left join open_renewals
        on company_subscriptions.company_id = open_renewals.company_id
    where
        company_subscriptions.subscription_status = 'active'
        and not coalesce(company_subscriptions.is_cancel_at_period_end, false)
        and company_subscriptions.is_yearly = 1
        and open_renewals.company_id is null

),

-- 6. Money paid back on an invoice's charges beyond its credit notes. Only a credit note takes revenue back (the MRR
-- and the invoice still count a refund without one): the customer has the money while the books say it was earned.
-- A charge of no invoice (a one-off payment) bills no recurring revenue and is not checked. Compared per invoice and
-- currency; the invoice, when staged, gives the subscription.
invoice_refunds as (

    select
        invoice_id,
        currency,
        max(customer_id) as customer_id,
        sum(refunded_amount) as refunded_amount,
        max(created_at) as last_charged_at
    from charges
    where invoice_id is not null and refunded_amount > 0
    group by invoice_id, currency

),

invoice_credits_by_currency as (

    select
        invoice_id,
        currency,
        sum(amount) as credited_amount
    from credit_notes
    group by invoice_id, currency

),

refunded_without_credit_note as (

    select
        'refunded_without_credit_note' as leakage_type,
        coalesce(billing_companies.company_id, invoice_refunds.customer_id) as company_id,
        cast(null as {{ dbt.type_string() }}) as salesforce_account_id,
        cast(null as {{ dbt.type_string() }}) as salesforce_opportunity_id,
        invoice_refunds.customer_id as stripe_customer_id,
        invoices.subscription_id as stripe_subscription_id,
        invoice_refunds.invoice_id as stripe_invoice_id,
        invoice_refunds.refunded_amount - coalesce(invoice_credits_by_currency.credited_amount, 0)
            as amount_at_risk_local,
        invoice_refunds.currency,
        cast(invoice_refunds.last_charged_at as date) as reference_date,
        case
            when invoice_credits_by_currency.invoice_id is null then 'refunded without a credit note'
            else 'refunded beyond the credit notes of the invoice'
        end as detail
    from invoice_refunds
    left join invoice_credits_by_currency
        on
            invoice_refunds.invoice_id = invoice_credits_by_currency.invoice_id
            and invoice_refunds.currency = invoice_credits_by_currency.currency
    left join invoices
        on invoice_refunds.invoice_id = invoices.invoice_id
    left join billing_companies
        on invoice_refunds.customer_id = billing_companies.customer_id
    where invoice_refunds.refunded_amount > coalesce(invoice_credits_by_currency.credited_amount, 0)

),

unioned as (

    select * from never_invoiced
    union all
    select * from under_invoiced
    union all
    select * from unchecked_no_fx_rate
    union all
    select * from unpaid_past_due
    union all
    select * from status_mismatch
    union all
    select * from renewals_due
    union all
    select * from refunded_without_credit_note

),

-- FX: each currency's rate of the latest month on or before the as-of month (the reporting currency needs none).
ranked_rates as (

    select
        fx_rates.currency,
        fx_rates.rate_to_reporting,
        row_number() over (partition by fx_rates.currency order by fx_rates.month_start desc) as rate_rank
    from fx_rates
    inner join as_of
        on fx_rates.month_start <= as_of.as_of_date

),

reporting_rates as (

    select
        currency,
        rate_to_reporting
    from ranked_rates
    where rate_rank = 1

),

converted as (

    select
        unioned.*,
        as_of.as_of_date,
        reporting_rates.rate_to_reporting
    from unioned
    cross join as_of
    left join reporting_rates
        on unioned.currency = reporting_rates.currency

),

final as (

    select
        {{ hash_key([
            'leakage_type', 'company_id', 'salesforce_opportunity_id', 'stripe_subscription_id', 'stripe_invoice_id',
            'currency',
        ]) }} as leakage_id,
        cast(leakage_type as {{ dbt.type_string() }}) as leakage_type,
        cast(company_id as {{ dbt.type_string() }}) as company_id,
        cast(salesforce_account_id as {{ dbt.type_string() }}) as salesforce_account_id,
        cast(salesforce_opportunity_id as {{ dbt.type_string() }}) as salesforce_opportunity_id,
        cast(stripe_customer_id as {{ dbt.type_string() }}) as stripe_customer_id,
        cast(stripe_subscription_id as {{ dbt.type_string() }}) as stripe_subscription_id,
        cast(stripe_invoice_id as {{ dbt.type_string() }}) as stripe_invoice_id,
        cast(reference_date as date) as reference_date,
        cast(as_of_date as date) as as_of_date,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(amount_at_risk_local as decimal(18, 2)) as amount_at_risk_local,
        -- the reporting currency converts at 1 whether or not the FX export lists it; a currency without a rate
        -- has no amount here (NULL), never a silent 0; a case with nothing at risk (no invoice) stays 0
        cast(
            case
                when currency = '{{ var("reporting_currency") }}' then amount_at_risk_local
                when amount_at_risk_local = 0 then 0
                else amount_at_risk_local * rate_to_reporting
            end as decimal(18, 2)
        ) as amount_at_risk,
        cast(detail as {{ dbt.type_string() }}) as detail
    from converted

)

select * from final
