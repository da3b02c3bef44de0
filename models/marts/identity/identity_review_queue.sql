{#- Candidate person pairs for a person to confirm or reject: splink probability in the grey band
    [identity_review_band_low, identity_person_match_threshold), or above it but blocked by a business rule or left
    apart by clustering (it would have joined two persons at different known companies: a record without a company
    matched by name to namesakes at two). Pairs already decided in seeds/identity/identity_overrides.csv, and pairs
    already in one person, are left out; one pair per two persons. Record a decision by copying the six source
    columns into that file with decision `match` or `no_match`. -#}
with

pairs as (select * from {{ identity_ref('int_identity__person_pairs') }}),

overrides as (
    select * from {{ ref('identity_overrides') }}
    where entity = 'person'
),

records as (select * from {{ ref('int_identity__person_records') }}),

xref as (select * from {{ ref('xref_persons') }}),

person_clusters as (select * from {{ identity_ref('int_identity__person_clusters') }}),

candidates as (

    select p.*
    from pairs as p
    where
        -- the grey band, and above it a pair blocked by a rule or one clustering refused; a pair whose two
        -- records are one person now is dropped in `final`
        p.match_probability >= {{ var('identity_review_band_low') }}

),

undecided as (

    select c.*
    from candidates as c
    left join overrides as o
        on
            (
                c.left_source_system = o.left_source_system and c.left_source_table = o.left_source_table
                and c.left_source_id = o.left_source_id and c.right_source_system = o.right_source_system
                and c.right_source_table = o.right_source_table and c.right_source_id = o.right_source_id
            )
            or (
                c.left_source_system = o.right_source_system and c.left_source_table = o.right_source_table
                and c.left_source_id = o.right_source_id and c.right_source_system = o.left_source_system
                and c.right_source_table = o.left_source_table and c.right_source_id = o.left_source_id
            )
    where o.decision is null

),

enriched as (

    select
        cast('person' as {{ dbt.type_string() }}) as entity,
        cast(u.left_source_system as {{ dbt.type_string() }}) as left_source_system,
        cast(u.left_source_table as {{ dbt.type_string() }}) as left_source_table,
        cast(u.left_source_id as {{ dbt.type_string() }}) as left_source_id,
        cast(u.right_source_system as {{ dbt.type_string() }}) as right_source_system,
        cast(u.right_source_table as {{ dbt.type_string() }}) as right_source_table,
        cast(u.right_source_id as {{ dbt.type_string() }}) as right_source_id,
        cast(u.match_probability as {{ type_double() }}) as match_probability,
        cast(u.is_blocked_by_rule as boolean) as is_blocked_by_rule,
        cast(lx.person_id = rx.person_id as boolean) as is_same_person_now,
        cast(lx.person_id as {{ dbt.type_string() }}) as left_person_id,
        cast(rx.person_id as {{ dbt.type_string() }}) as right_person_id,
        cast(l.email as {{ dbt.type_string() }}) as left_email,
        cast(r.email as {{ dbt.type_string() }}) as right_email,
        cast(l.first_name as {{ dbt.type_string() }}) as left_first_name,
        cast(r.first_name as {{ dbt.type_string() }}) as right_first_name,
        cast(l.last_name as {{ dbt.type_string() }}) as left_last_name,
        cast(r.last_name as {{ dbt.type_string() }}) as right_last_name,
        cast(lp.phone_e164 as {{ dbt.type_string() }}) as left_phone_e164,
        cast(rp.phone_e164 as {{ dbt.type_string() }}) as right_phone_e164,
        cast(lx.company_id as {{ dbt.type_string() }}) as left_company_id,
        cast(rx.company_id as {{ dbt.type_string() }}) as right_company_id,
        cast(coalesce(l.company_name, '') as {{ dbt.type_string() }}) as left_company_name,
        cast(coalesce(r.company_name, '') as {{ dbt.type_string() }}) as right_company_name
    from undecided as u
    inner join records as l
        on
            u.left_source_system = l.source_system and u.left_source_table = l.source_table
            and u.left_source_id = l.source_id
    inner join records as r
        on
            u.right_source_system = r.source_system and u.right_source_table = r.source_table
            and u.right_source_id = r.source_id
    inner join xref as lx
        on
            u.left_source_system = lx.source_system and u.left_source_table = lx.source_table
            and u.left_source_id = lx.source_id
    inner join xref as rx
        on
            u.right_source_system = rx.source_system and u.right_source_table = rx.source_table
            and u.right_source_id = rx.source_id
    inner join person_clusters as lp
        on
            u.left_source_system = lp.source_system and u.left_source_table = lp.source_table
            and u.left_source_id = lp.source_id
    inner join person_clusters as rp
        on
            u.right_source_system = rp.source_system and u.right_source_table = rp.source_table
            and u.right_source_id = rp.source_id

),

ranked as (

    select
        enriched.*,
        row_number() over (
            partition by
                least(enriched.left_person_id, enriched.right_person_id),
                greatest(enriched.left_person_id, enriched.right_person_id)
            order by
                enriched.match_probability desc,
                enriched.left_source_id asc,
                enriched.right_source_id asc
        ) as pair_rank
    from enriched

),

final as (

    -- one pair per two persons (the most probable); pairs already in one person need no decision
    select
        entity,
        left_source_system,
        left_source_table,
        left_source_id,
        right_source_system,
        right_source_table,
        right_source_id,
        match_probability,
        is_blocked_by_rule,
        is_same_person_now,
        left_person_id,
        right_person_id,
        left_email,
        right_email,
        left_first_name,
        right_first_name,
        left_last_name,
        right_last_name,
        left_phone_e164,
        right_phone_e164,
        left_company_id,
        right_company_id,
        left_company_name,
        right_company_name
    from ranked
    where pair_rank = 1 and not is_same_person_now

)

select * from final
