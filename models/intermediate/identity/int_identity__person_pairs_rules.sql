{{ config(enabled=not identity_use_python()) }}
{#- Without Python models there is no probabilistic matching: no scored pairs (same columns as
    int_identity__person_pairs). -#}
select
    cast(null as {{ dbt.type_string() }}) as left_source_system,
    cast(null as {{ dbt.type_string() }}) as left_source_table,
    cast(null as {{ dbt.type_string() }}) as left_source_id,
    cast(null as {{ dbt.type_string() }}) as right_source_system,
    cast(null as {{ dbt.type_string() }}) as right_source_table,
    cast(null as {{ dbt.type_string() }}) as right_source_id,
    cast(null as {{ type_double() }}) as match_probability,
    cast(null as boolean) as is_blocked_by_rule
where 1 = 0
