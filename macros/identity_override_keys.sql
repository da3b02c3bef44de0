{#- The human review decisions (seed identity_overrides) of one entity ('person' or 'company') as the CTEs the
    SQL-only clustering reads (the `_rules` models, engines without Python models): `overrides` (that entity's
    rows), `isolated` (record_label of the right-hand record of each `no_match`: it keeps no rule key) and
    `override_keys` (record_label, key_value: both records of a `match` share one key). `records_cte` has
    source_system, source_table, source_id and record_label. -#}
{% macro identity_override_keys(entity, records_cte='records') -%}
overrides as (
    select * from {{ ref('identity_overrides') }}
    where entity = '{{ entity }}'
),

isolated as (

    select r.record_label
    from overrides as o
    inner join {{ records_cte }} as r
        on
            o.right_source_system = r.source_system
            and o.right_source_table = r.source_table
            and o.right_source_id = r.source_id
    where o.decision = 'no_match'

),

override_keys as (

    select
        r.record_label,
        {{ dbt.concat([
            "'override:'", "o.left_source_system", "'|'", "o.left_source_table", "'|'", "o.left_source_id"
        ]) }} as key_value
    from overrides as o
    inner join {{ records_cte }} as r
        on
            (
                (
                    o.left_source_system = r.source_system and o.left_source_table = r.source_table
                    and o.left_source_id = r.source_id
                )
                or (
                    o.right_source_system = r.source_system and o.right_source_table = r.source_table
                    and o.right_source_id = r.source_id
                )
            )
    where o.decision = 'match'

)
{%- endmacro %}
