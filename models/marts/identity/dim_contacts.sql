{#- Golden record of each person (one row per person_id). Survivorship: see the identity_survivorship doc.
    Every field but the e-mail comes ranked from int_identity__person_survivors (identity alone decides it); the
    deliverable e-mail, which dim_email_verification changes, is ranked here over the deliverable records only.
    The stage is the furthest of the person's live records (HubSpot's stage, a CRM lead's; a soft-deleted record's
    only when no live one has a stage), raised to customer when the person's company is one (dim_customers), as
    HubSpot's company-to-contact stage sync does. -#}
{%- set customer_order = lifecycle_stages().index('customer') + 1 %}
with

person_members as (select * from {{ ref('int_identity__person_members') }}),

person_survivors as (select * from {{ ref('int_identity__person_survivors') }}),

verification as (select * from {{ ref('dim_email_verification') }}),

customers as (select * from {{ ref('dim_customers') }}),

-- the records whose e-mail is deliverable (valid or risky): the only ones the deliverable e-mail is ranked over
deliverable_members as (

    select
        m.person_id,
        m.email_normalised,
        m.record_updated_at,
        m.source_rank,
        m.source_id,
        m.is_deleted
    from person_members as m
    inner join verification as v on m.email_normalised = v.email
    where v.status in ('valid', 'risky')

),

deliverable as (

    {{ identity_survivors('deliverable_members', 'person_id', [
        ['deliverable_email', 'email_normalised', none],
    ], deleted='is_deleted') }}

),

collapsed as (

    select
        s.person_id,
        s.first_name,
        s.last_name,
        s.phone_e164,
        s.title,
        s.company_id,
        s.lifecycle_order,
        s.first_seen_at,
        s.last_seen_at,
        coalesce(d.deliverable_email, s.any_email) as email
    from person_survivors as s
    left join deliverable as d on s.person_id = d.person_id

),

final as (

    select
        cast(c.person_id as {{ dbt.type_string() }}) as person_id,
        cast(c.email as {{ dbt.type_string() }}) as email,
        cast(c.first_name as {{ dbt.type_string() }}) as first_name,
        cast(c.last_name as {{ dbt.type_string() }}) as last_name,
        cast(c.phone_e164 as {{ dbt.type_string() }}) as phone_e164,
        cast(c.company_id as {{ dbt.type_string() }}) as company_id,
        cast(c.title as {{ dbt.type_string() }}) as title,
        -- an evangelist stays one; a customer company's people are customers
        cast({{ lifecycle_stage_name(
            'case when ' ~ lifecycle_stage_order('cu.lifecycle_stage') ~ ' >= ' ~ customer_order
            ~ ' and coalesce(c.lifecycle_order, 0) < ' ~ customer_order ~ ' then ' ~ customer_order
            ~ ' else c.lifecycle_order end'
        ) }} as {{ dbt.type_string() }}) as lifecycle_stage,
        cast(cu.owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(v.status as {{ dbt.type_string() }}) as email_status,
        c.first_seen_at,
        c.last_seen_at
    from collapsed as c
    left join customers as cu on c.company_id = cu.company_id
    left join verification as v on c.email = v.email

)

select * from final
