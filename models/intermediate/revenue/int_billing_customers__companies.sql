{#- The ONE place where a source record (a Stripe customer, a Salesforce account) is mapped to a company and its
    segment: the company clusters (Stripe customers and Salesforce accounts are always identified there, so these
    are their xref_companies rows) with the company's segment (int_identity__company_segments, as dim_customers
    shows it). Neither waits for the person matching, so neither does the MRR ledger. Every Stripe customer id
    that billing refers to has a row (also ids whose customer row staging quarantined, and ids only a quarantined
    invoice row names, to which the MRR bills its lines); a record the clusters do
    not know falls back to its own id as company (is_unmapped). -#}
with crosswalk as (

    select * from {{ identity_ref('int_identity__company_clusters') }}
    where is_identified

),

customers as (

    select * from {{ ref('int_identity__company_segments') }}

),

stripe_customers as (

    select * from {{ ref('stg_stripe__customer') }}

),

invoices as (

    select * from {{ ref('stg_stripe__invoice') }}

),

subscriptions as (

    select * from {{ ref('stg_stripe__subscription') }}

),

accounts as (

    select * from {{ ref('stg_salesforce__account') }}

),

-- invoice rows staging quarantined: int_invoice_lines__spread_monthly bills their lines to the customer they name
-- when neither a staged invoice nor a subscription does
quarantined_invoices as (

    select * from {{ ref('base_stripe__invoice') }}
    where _quarantine_code is not null and id is not null

),

-- every customer id billing refers to, including ids whose customer row was quarantined by staging and ids only a
-- quarantined invoice row names
billed_customer_ids as (

    select customer_id from stripe_customers
    union
    select customer_id from invoices
    where customer_id is not null
    union
    select customer_id from subscriptions
    where customer_id is not null
    union
    select customer_id from quarantined_invoices
    where customer_id is not null

),

source_records as (

    select
        'stripe' as source_system,
        'customer' as source_table,
        customer_id as source_id
    from billed_customer_ids
    union all
    select
        'salesforce' as source_system,
        'account' as source_table,
        account_id as source_id
    from accounts

),

final as (

    select
        cast(source_records.source_system as {{ dbt.type_string() }}) as source_system,
        cast(source_records.source_table as {{ dbt.type_string() }}) as source_table,
        source_records.source_id,
        coalesce(crosswalk.company_id, source_records.source_id) as company_id,
        cast(coalesce(customers.segment, 'unknown') as {{ dbt.type_string() }}) as segment,
        crosswalk.company_id is null as is_unmapped
    from source_records
    left join crosswalk
        on
            source_records.source_system = crosswalk.source_system
            and source_records.source_table = crosswalk.source_table
            and source_records.source_id = crosswalk.source_id
    left join customers
        on crosswalk.company_id = customers.company_id

)

select * from final
