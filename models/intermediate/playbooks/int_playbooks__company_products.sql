{#- Every product each company has had (identity company_id x Stripe product), from subscription items and from
    invoice lines (one-off products such as onboarding are only invoiced), with whether it is live now: on a
    subscription item not deleted, of a subscription that is active, trialing or past due. -#}
with subscription_items as (

    select * from {{ ref('stg_stripe__subscription_item') }}

),

subscriptions as (

    select * from {{ ref('stg_stripe__subscription') }}

),

invoice_lines as (

    select * from {{ ref('stg_stripe__invoice_line_item') }}

),

invoices as (

    select * from {{ ref('stg_stripe__invoice') }}

),

prices as (

    select * from {{ ref('stg_stripe__price') }}

),

products as (

    select * from {{ ref('stg_stripe__product') }}

),

xref_companies as (

    select * from {{ ref('xref_companies') }}

),

stripe_companies as (

    select
        source_id as stripe_customer_id,
        company_id
    from xref_companies
    where source_system = 'stripe' and source_table = 'customer'

),

subscribed as (

    select
        subscriptions.customer_id,
        subscription_items.price_id,
        case
            when subscriptions.subscription_status not in ('active', 'trialing', 'past_due') then 0
            when subscription_items.deleted_at is null then 1
            else 0
        end as is_live
    from subscription_items
    inner join subscriptions
        on subscription_items.subscription_id = subscriptions.subscription_id

),

invoiced as (

    select
        coalesce(invoices.customer_id, subscriptions.customer_id) as customer_id,
        invoice_lines.price_id,
        0 as is_live
    from invoice_lines
    left join invoices
        on invoice_lines.invoice_id = invoices.invoice_id
    left join subscriptions
        on invoice_lines.subscription_id = subscriptions.subscription_id

),

bought as (

    select * from subscribed
    union all
    select * from invoiced

),

final as (

    select
        stripe_companies.company_id,
        prices.product_id,
        max(products.product_name) as product_name,
        max(case when products.is_add_on then 1 else 0 end) = 1 as is_add_on,
        max(bought.is_live) = 1 as is_live
    from bought
    inner join stripe_companies
        on bought.customer_id = stripe_companies.stripe_customer_id
    inner join prices
        on bought.price_id = prices.price_id
    inner join products
        on prices.product_id = products.product_id
    group by
        stripe_companies.company_id,
        prices.product_id

)

select * from final
