{#- Golden record of each person (one row per person_id). Survivorship: see the identity_survivorship doc. -#}
with

person_members as (select * from {{ ref('int_identity__person_members') }}),

verification as (select * from {{ ref('dim_email_verification') }}),

customers as (select * from {{ ref('dim_customers') }}),

members as (

    select
        m.*,
        v.status as email_status
    from person_members as m
    left join verification as v on m.email_normalised = v.email

),

survivors as (

    {{ identity_survivors('members', 'person_id', [
        ['deliverable_email', 'email_normalised', "email_status in ('valid', 'risky')"],
        ['any_email', 'email_normalised', none],
        ['first_name', 'first_name', none, identity_is_mixed_case('first_name')],
        ['last_name', 'last_name', none, identity_is_mixed_case('last_name')],
        ['phone_e164', 'phone_e164', none],
        ['title', 'title', none],
    ]) }}

),

collapsed as (

    select
        person_id,
        first_name,
        last_name,
        phone_e164,
        title,
        coalesce(deliverable_email, any_email) as email
    from survivors

),

aggregated as (

    select
        person_id,
        max(company_id) as company_id,
        max(lifecycle_order) as lifecycle_order,
        min(record_created_at) as first_seen_at,
        max(coalesce(record_updated_at, record_created_at)) as last_seen_at
    from members
    group by person_id

),

final as (

    select
        cast(c.person_id as {{ dbt.type_string() }}) as person_id,
        cast(c.email as {{ dbt.type_string() }}) as email,
        cast(c.first_name as {{ dbt.type_string() }}) as first_name,
        cast(c.last_name as {{ dbt.type_string() }}) as last_name,
        cast(c.phone_e164 as {{ dbt.type_string() }}) as phone_e164,
        cast(a.company_id as {{ dbt.type_string() }}) as company_id,
        cast(c.title as {{ dbt.type_string() }}) as title,
        cast({{ lifecycle_stage_name('a.lifecycle_order') }} as {{ dbt.type_string() }}) as lifecycle_stage,
        cast(cu.owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(v.status as {{ dbt.type_string() }}) as email_status,
        a.first_seen_at,
        a.last_seen_at
    from collapsed as c
    inner join aggregated as a on c.person_id = a.person_id
    left join customers as cu on a.company_id = cu.company_id
    left join verification as v on c.email = v.email

)

select * from final
