{#- SQL-only clustering (engines without Python models): records that share a key end with the same label,
    the lowest record_label reachable through shared keys within `rounds` hops (var
    identity_sql_propagation_rounds). `keys_cte` has record_label, key_value; returns record_label, cluster_label. -#}
{% macro identity_cluster_by_keys(keys_cte, rounds) -%}
    labels_0 as (
        select record_label, min(record_label) as cluster_label
        from {{ keys_cte }}
        group by record_label
    ),
    {% for i in range(1, rounds + 1) %}
    key_labels_{{ i }} as (
        select k.key_value, min(l.cluster_label) as cluster_label
        from {{ keys_cte }} as k
        inner join labels_{{ i - 1 }} as l on k.record_label = l.record_label
        group by k.key_value
    ),
    labels_{{ i }} as (
        select k.record_label, min(kl.cluster_label) as cluster_label
        from {{ keys_cte }} as k
        inner join key_labels_{{ i }} as kl on k.key_value = kl.key_value
        group by k.record_label
    ),
    {% endfor %}
    clustered as (
        select record_label, cluster_label from labels_{{ rounds }}
    )
{%- endmacro %}
