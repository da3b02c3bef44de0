{#- The channel that acquired each company: the lead-source channel of its first closed-won new-business
    opportunity (deleted ones left out, as in the KPI marts); for companies without one (self-serve), the HubSpot
    original source of the contact with its Stripe billing email, else the company's first touch (its earliest
    HubSpot contact, identity layer: the payer's billing and marketing addresses often differ); else 'unknown'. -#}
with companies as (

    select * from {{ ref('int_billing_customers__companies') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

customers as (

    select * from {{ ref('stg_stripe__customer') }}

),

hubspot_contacts as (

    select * from {{ ref('stg_hubspot__contact') }}

),

company_first_touches as (

    select * from {{ ref('int_companies__first_touch') }}

),

won_deals as (

    select
        company_id,
        lead_source_channel,
        row_number() over (partition by company_id order by close_date, opportunity_id) as deal_rank
    from opportunities
    where is_won and opportunity_type = 'New Business' and company_id is not null and not is_deleted

),

billing_touches as (

    select
        companies.company_id,
        {{ acquisition_channel('hubspot_contacts.original_source') }} as channel,
        row_number() over (
            partition by companies.company_id
            order by hubspot_contacts.created_at, hubspot_contacts.contact_id
        ) as touch_rank
    from companies
    inner join customers
        on companies.source_id = customers.customer_id
    inner join hubspot_contacts
        on customers.email = hubspot_contacts.email
    where companies.source_system = 'stripe' and companies.source_table = 'customer'

),

all_companies as (

    select distinct company_id from companies

),

final as (

    select
        all_companies.company_id,
        coalesce(
            won_deals.lead_source_channel,
            billing_touches.channel,
            company_first_touches.first_touch_channel,
            'unknown'
        ) as acquisition_channel,
        case
            when won_deals.company_id is not null then 'first_won_opportunity'
            when billing_touches.company_id is not null then 'billing_contact_first_touch'
            when company_first_touches.company_id is not null then 'company_first_touch'
            else 'none'
        end as channel_source
    from all_companies
    left join won_deals
        on all_companies.company_id = won_deals.company_id and won_deals.deal_rank = 1
    left join billing_touches
        on all_companies.company_id = billing_touches.company_id and billing_touches.touch_rank = 1
    left join company_first_touches
        on all_companies.company_id = company_first_touches.company_id

)

select * from final
