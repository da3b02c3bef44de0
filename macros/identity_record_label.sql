{#- The ordering label of an identity source record: live before soft-deleted, then system rank, then key.
    The lowest label of a cluster is its anchor, whose hash is the cluster's stable id. revops.identity.cluster
    builds the same string (record_label) so Python and SQL pick the same anchor. -#}
{% macro identity_record_label(is_deleted, source_rank, source_system, source_table, source_id) -%}
    {{ dbt.concat([
        "case when coalesce(" ~ is_deleted ~ ", false) then '1' else '0' end",
        "lpad(" ~ dbt.cast(source_rank, dbt.type_string()) ~ ", 2, '0')",
        "'|'", source_system, "'|'", source_table, "'|'", source_id
    ]) }}
{%- endmacro %}
