-- Billing's company map (int_billing_customers__companies) reads the company clusters and
-- int_identity__company_segments, not the identity marts, so revenue need not wait for the person matching. It
-- must still say what the marts say: a mapped Stripe customer or Salesforce account has its xref_companies
-- company, with that company's dim_customers segment. Returns the records where they differ.
-- It reads several models: dagster-dbt attaches it as an asset check to the one it checks (meta dagster.ref).
{{ config(meta={'dagster': {'ref': {'name': 'int_billing_customers__companies'}}}) }}
with billing as (

    select * from {{ ref('int_billing_customers__companies') }}
    where not is_unmapped

),

crosswalk as (

    select * from {{ ref('xref_companies') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

)

select
    billing.source_system,
    billing.source_table,
    billing.source_id,
    billing.company_id,
    billing.segment,
    crosswalk.company_id as xref_company_id,
    customers.segment as dim_customers_segment
from billing
left join crosswalk
    on
        billing.source_system = crosswalk.source_system
        and billing.source_table = crosswalk.source_table
        and billing.source_id = crosswalk.source_id
left join customers
    on crosswalk.company_id = customers.company_id
where
    crosswalk.company_id is null
    or crosswalk.company_id <> billing.company_id
    or customers.segment is null
    or customers.segment <> billing.segment
