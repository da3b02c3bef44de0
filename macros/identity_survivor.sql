{#- Survivorship of one golden-record field: the value of the most recent record (record_updated_at) that has
    one, ties broken by system priority (source_rank, lower wins), then source id. Used inside a select over
    member records, partitioned by the entity id. -#}
{% macro identity_survivor(column, partition_by, filter=none) -%}
    {%- set value = column if filter is none else "case when " ~ filter ~ " then " ~ column ~ " end" -%}
    first_value({{ value }}) over (
        partition by {{ partition_by }}
        order by
            case when {{ value }} is null then 1 else 0 end,
            record_updated_at desc nulls last,
            source_rank,
            source_id
        rows between unbounded preceding and unbounded following
    )
{%- endmacro %}
