{#- Golden record of each company (one row per company_id). Survivorship: see the identity_survivorship doc. -#}
{%- set customer_order = lifecycle_stages().index('customer') + 1 %}
with

xref as (select * from {{ ref('xref_companies') }}),

records as (select * from {{ ref('int_identity__company_records') }}),

company_keys as (select * from {{ ref('int_identity__company_keys') }}),

segments as (select * from {{ ref('int_identity__company_segments') }}),

users as (select * from {{ ref('stg_salesforce__user') }}),

invoices as (select * from {{ ref('stg_stripe__invoice') }}),

opportunities as (select * from {{ ref('stg_salesforce__opportunity') }}),

billing_companies as (select * from {{ ref('int_billing_customers__companies') }}),

-- a company that was billed (an open or paid invoice above 0, what the MRR ledger counts) or won a deal (not
-- deleted) is a customer, whatever stage HubSpot shows (it lags: a paying company left at lead or opportunity); a
-- Stripe customer alone (a trial that never paid) is not. Read from staging through the one billing mapping, not
-- from fct_mrr / fct_opportunities: the golden record does not wait for (or rebuild with) the revenue facts.
-- Each piece of evidence is dated: the invoice's creation, the deal's close date in the CRM (one missing, or later
-- than the CRM export, by the deal's last change instead).
customer_evidence as (

    select
        b.company_id,
        i.created_at as evidence_at
    from invoices as i
    inner join billing_companies as b
        on
            b.source_system = 'stripe'
            and b.source_table = 'customer'
            and i.customer_id = b.source_id
    where i.invoice_status in ('open', 'paid') and i.total_amount > 0
    union all
    select
        b.company_id,
        case
            when o.close_date is null or o.close_date > cast({{ future_limit('o._loaded_at') }} as date)
                then o.last_modified_at
            else cast(o.close_date as {{ dbt.type_timestamp() }})
        end as evidence_at
    from opportunities as o
    inner join billing_companies as b
        on
            b.source_system = 'salesforce'
            and b.source_table = 'account'
            and o.account_id = b.source_id
    where o.is_won and not coalesce(o.is_deleted, false)

),

customers as (

    select
        company_id,
        min(evidence_at) as became_customer_at
    from customer_evidence
    group by company_id

),

-- the CRM's country spellings (United States, USA, us...) to their ISO 3166-1 alpha-2 code
country_codes as (

    select
        country,
        country_code
    from {{ ref('country_timezones') }}

),

members as (

    select
        x.company_id,
        r.source_system,
        r.source_table,
        r.source_id,
        r.source_rank,
        r.record_label,
        r.is_company_record,
        r.company_name,
        r.industry,
        r.country,
        r.owner_id,
        r.lifecycle_stage,
        r.record_created_at,
        r.record_updated_at,
        r.is_deleted,
        {{ lifecycle_stage_order('r.lifecycle_stage') }} as lifecycle_order
    from xref as x
    inner join records as r
        on
            x.source_system = r.source_system
            and x.source_table = r.source_table
            and x.source_id = r.source_id

),

survivors as (

    {{ identity_survivors('members', 'company_id', [
        ['company_record_name', 'company_name', 'is_company_record', identity_is_mixed_case('company_name')],
        ['any_record_name', 'company_name', none, identity_is_mixed_case('company_name')],
        ['industry', 'industry', none],
        ['country', 'country', none],
        ['owner_id', 'owner_id', none],
    ], deleted='is_deleted') }}

),

salesforce_accounts as (

    {#- the company's Salesforce account: the lowest-labelled account record (a window over accounts only) -#}
    select
        company_id,
        source_id as salesforce_account_id
    from (
        select
            company_id,
            source_id,
            row_number() over (partition by company_id order by record_label) as account_rank
        from members
        where source_table = 'account'
    ) as ranked
    where account_rank = 1

),

stripe_customers as (

    {#- the company's Stripe customer: live before deleted, then the first created -#}
    select
        company_id,
        source_id as stripe_customer_id
    from (
        select
            company_id,
            source_id,
            row_number() over (
                partition by company_id
                order by case when is_deleted then 1 else 0 end, record_created_at, source_id
            ) as customer_rank
        from members
        where source_table = 'customer'
    ) as ranked
    where customer_rank = 1

),

domain_counts as (

    select
        x.company_id,
        k.key_value as domain_name,
        count(*) as records,
        min(k.source_rank) as best_rank
    from company_keys as k
    inner join xref as x
        on
            k.source_system = x.source_system
            and k.source_table = x.source_table
            and k.source_id = x.source_id
    where k.key_type = 'domain'
    group by x.company_id, k.key_value

),

primary_domains as (

    select
        company_id,
        domain_name
    from (
        select
            company_id,
            domain_name,
            row_number() over (
                partition by company_id
                order by records desc, best_rank asc, domain_name asc
            ) as domain_rank
        from domain_counts
    ) as ranked
    where domain_rank = 1

),

aggregated as (

    select
        company_id,
        -- the furthest stage of the live records: a lead whose company a rep converted and then deleted does not
        -- lift the company; a deleted record's stage counts only when no live record has one (all deleted)
        coalesce(
            max(case when not coalesce(is_deleted, false) then lifecycle_order end),
            max(lifecycle_order)
        ) as lifecycle_order,
        min(record_created_at) as first_seen_at,
        max(coalesce(record_updated_at, record_created_at)) as last_seen_at
    from members
    group by company_id

),

collapsed as (

    select
        survivors.company_id,
        survivors.industry,
        survivors.country,
        survivors.owner_id,
        salesforce_accounts.salesforce_account_id,
        stripe_customers.stripe_customer_id,
        -- a mixed-case name of a company record, else of any member, before an ALL-CAPS or all-lowercase one
        case
            when {{ identity_is_mixed_case('survivors.company_record_name') }} then survivors.company_record_name
            when {{ identity_is_mixed_case('survivors.any_record_name') }} then survivors.any_record_name
            else coalesce(survivors.company_record_name, survivors.any_record_name)
        end as company_name
    from survivors
    left join salesforce_accounts on survivors.company_id = salesforce_accounts.company_id
    left join stripe_customers on survivors.company_id = stripe_customers.company_id

),

final as (

    select
        cast(c.company_id as {{ dbt.type_string() }}) as company_id,
        cast(c.company_name as {{ dbt.type_string() }}) as company_name,
        cast(d.domain_name as {{ dbt.type_string() }}) as primary_domain,
        cast(c.industry as {{ dbt.type_string() }}) as industry,
        cast(c.country as {{ dbt.type_string() }}) as country,
        cast(cc.country_code as {{ dbt.type_string() }}) as country_code,
        cast(s.number_of_employees as integer) as number_of_employees,
        cast(coalesce(s.segment, 'unknown') as {{ dbt.type_string() }}) as segment,
        cast(c.owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(u.user_name as {{ dbt.type_string() }}) as owner_name,
        cast(c.salesforce_account_id as {{ dbt.type_string() }}) as salesforce_account_id,
        cast(c.stripe_customer_id as {{ dbt.type_string() }}) as stripe_customer_id,
        -- the furthest HubSpot stage, raised to customer by billing or a won deal (an evangelist stays one)
        cast({{ lifecycle_stage_name(
            'case when cu.company_id is not null and coalesce(a.lifecycle_order, 0) < '
            ~ customer_order ~ ' then ' ~ customer_order ~ ' else a.lifecycle_order end'
        ) }} as {{ dbt.type_string() }}) as lifecycle_stage,
        a.first_seen_at,
        a.last_seen_at,
        cast(cu.became_customer_at as {{ dbt.type_timestamp() }}) as became_customer_at
    from collapsed as c
    inner join aggregated as a on c.company_id = a.company_id
    left join primary_domains as d on c.company_id = d.company_id
    left join segments as s on c.company_id = s.company_id
    left join users as u on c.owner_id = u.user_id
    left join country_codes as cc on lower(trim(c.country)) = cc.country
    left join customers as cu on c.company_id = cu.company_id

)

select * from final
