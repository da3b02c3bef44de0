{#- One row per person: the golden-record fields that identity alone decides (names, the most recent e-mail,
    phone, title, company, furthest lifecycle stage, first and last seen), ranked over the person's records
    (int_identity__person_members). The stage is the furthest of the live (not soft-deleted) records, of all of
    them only when no live record has one; first and last seen count deleted records too. dim_contacts adds the
    deliverable e-mail, the one field that depends on dim_email_verification: kept apart, a build that only new
    e-mail events reach (a bounce) ranks just the deliverable records again instead of every field of a million
    records. -#}
with

members as (select * from {{ ref('int_identity__person_members') }}),

survivors as (

    {{ identity_survivors('members', 'person_id', [
        ['any_email', 'email_normalised', none],
        ['first_name', 'first_name', none, identity_is_mixed_case('first_name')],
        ['last_name', 'last_name', none, identity_is_mixed_case('last_name')],
        ['phone_e164', 'phone_e164', none],
        ['title', 'title', none],
    ], deleted='is_deleted') }}

),

aggregated as (

    select
        person_id,
        max(company_id) as company_id,
        -- the furthest stage of the live records: a lead a rep converted and then deleted, or a deleted duplicate,
        -- does not lift the person; a deleted record's stage counts only when no live record has one (all deleted)
        coalesce(
            max(case when not coalesce(is_deleted, false) then lifecycle_order end),
            max(lifecycle_order)
        ) as lifecycle_order,
        min(record_created_at) as first_seen_at,
        max(coalesce(record_updated_at, record_created_at)) as last_seen_at
    from members
    group by person_id

),

final as (

    select
        s.person_id,
        s.any_email,
        s.first_name,
        s.last_name,
        s.phone_e164,
        s.title,
        a.company_id,
        a.lifecycle_order,
        a.first_seen_at,
        a.last_seen_at
    from survivors as s
    inner join aggregated as a on s.person_id = a.person_id

)

select * from final
