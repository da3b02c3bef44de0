{#- The ONE place where a Stripe customer is mapped to a company.
    Stand-in until the identity layer (xref_companies / dim_customers) lands: company_id is the customer's
    Salesforce account id when it has one, else the Stripe customer id; segment is 'unknown'. -#}
with customers as (

    select * from {{ ref('stg_stripe__customer') }}

),

final as (

    select
        customer_id,
        coalesce(salesforce_account_id, customer_id) as company_id,
        currency,
        cast('unknown' as {{ dbt.type_string() }}) as segment
    from customers

)

select * from final
