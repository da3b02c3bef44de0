{#- The ONE place where a source record (a Stripe customer, a Salesforce account) is mapped to a company and its
    segment; same shape as the identity layer's xref_companies (+ dim_customers.segment).
    TEMPORARY STAND-IN until the identity layer lands: company_id = the Salesforce account id (a Stripe customer
    takes its salesforce_account_id, else its own id); segment = 'unknown'. -#}
with customers as (

    select * from {{ ref('stg_stripe__customer') }}

),

accounts as (

    select * from {{ ref('stg_salesforce__account') }}

),

stripe_customers as (

    select
        'stripe' as source_system,
        'customer' as source_table,
        customer_id as source_id,
        coalesce(salesforce_account_id, customer_id) as company_id
    from customers

),

salesforce_accounts as (

    select
        'salesforce' as source_system,
        'account' as source_table,
        account_id as source_id,
        account_id as company_id
    from accounts

),

unioned as (

    select * from stripe_customers
    union all
    select * from salesforce_accounts

),

final as (

    select
        cast(source_system as {{ dbt.type_string() }}) as source_system,
        cast(source_table as {{ dbt.type_string() }}) as source_table,
        source_id,
        company_id,
        cast('unknown' as {{ dbt.type_string() }}) as segment
    from unioned

)

select * from final
