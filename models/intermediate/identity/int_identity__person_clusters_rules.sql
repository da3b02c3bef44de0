{{ config(enabled=not identity_use_python()) }}
{#- Person clusters by SQL rules alone (engines without Python models): the same columns as the Python model
    int_identity__person_clusters. Records with the same email match key (the normalised email; a shared role
    mailbox with the record's name: int_identity__person_records) are one person; a human `match`
    adds a shared key, a human `no_match` isolates the right-hand record. Phones: digits only, '+' kept
    ('00' read as '+'); national forms stay NULL (phonenumbers is Python). -#}
with

records as (select * from {{ ref('int_identity__person_records') }}),

{{ identity_override_keys('person') }},

all_keys as (

    select
        record_label,
        record_label as key_value
    from records
    union all
    select
        record_label,
        {{ dbt.concat(["'email:'", "email_match_key"]) }}
    from records
    where
        email_match_key is not null
        and record_label not in (select i.record_label from isolated as i)
    union all
    select
        record_label,
        key_value
    from override_keys

),

{{ identity_cluster_by_keys('all_keys', var('identity_sql_propagation_rounds')) }},

final as (

    select
        r.source_system,
        r.source_table,
        r.source_id,
        {{ dbt.hash(dbt.concat(["'person:'", "substr(c.cluster_label, 5)"])) }} as person_id,
        case
            when c.cluster_label = r.record_label then {{ dbt.concat(["r.source_system", "'_'", "r.source_table"]) }}
            when r.record_label in (select ok.record_label from override_keys as ok) then 'override'
            else 'exact_email'
        end as match_rule,
        cast(1.0 as {{ type_double() }}) as match_probability,
        c.cluster_label != r.record_label
        and r.record_label in (select ok.record_label from override_keys as ok) as is_override,
        r.email_normalised,
        case
            when r.phone like '+%' or r.phone like '00%'
                then
                    {{ dbt.concat([
                        "'+'", regexp_replace_all("regexp_replace(r.phone, '^00', '')", "'[^0-9]'", "''")
                    ]) }}
        end as phone_e164
    from records as r
    inner join clustered as c on r.record_label = c.record_label

)

select * from final
