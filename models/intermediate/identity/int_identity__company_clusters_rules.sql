{{ config(enabled=not identity_use_python()) }}
{#- Company clusters by SQL rules alone (engines without Python models): the same columns as the Python model
    int_identity__company_clusters. Records sharing a key are one company (bounded propagation); a human
    `match` adds a shared key, a human `no_match` isolates the right-hand record from its rule keys. -#}
with

records as (select * from {{ ref('int_identity__company_records') }}),

keys as (select * from {{ ref('int_identity__company_keys') }}),

{{ identity_override_keys('company') }},

all_keys as (

    select
        record_label,
        record_label as key_value
    from records
    union all
    select
        k.record_label,
        {{ dbt.concat(["k.key_type", "':'", "k.key_value"]) }}
    from keys as k
    where k.record_label not in (select i.record_label from isolated as i)
    union all
    select
        record_label,
        key_value
    from override_keys

),

{{ identity_cluster_by_keys('all_keys', var('identity_sql_propagation_rounds')) }},

sizes as (

    select
        cluster_label,
        count(*) as members
    from clustered
    group by cluster_label

),

evidence as (

    select
        k.source_system,
        k.source_table,
        k.source_id,
        min(case k.key_type
            when 'salesforce_account_id' then 1 when 'domain' then 2 when 'name' then 3
        end) as best_rule
    from keys as k
    group by k.source_system, k.source_table, k.source_id

),

final as (

    select
        r.source_system,
        r.source_table,
        r.source_id,
        {{ dbt.hash(dbt.concat(["'company:'", "substr(c.cluster_label, 5)"])) }} as company_id,
        case
            when c.cluster_label = r.record_label then {{ dbt.concat(["r.source_system", "'_'", "r.source_table"]) }}
            when r.record_label in (select ok.record_label from override_keys as ok) then 'override'
            when e.best_rule = 1 then 'stripe_salesforce_account_id'
            when e.best_rule = 2 then 'email_domain'
            when e.best_rule = 3 then 'normalised_name'
            else 'override'
        end as match_rule,
        cast(1.0 as {{ type_double() }}) as match_probability,
        c.cluster_label != r.record_label
        and r.record_label in (select ok.record_label from override_keys as ok) as is_override,
        r.is_company_record or s.members > 1 or e.best_rule is not null as is_identified
    from records as r
    inner join clustered as c on r.record_label = c.record_label
    inner join sizes as s on c.cluster_label = s.cluster_label
    left join evidence as e
        on r.source_system = e.source_system and r.source_table = e.source_table and r.source_id = e.source_id

)

select * from final
