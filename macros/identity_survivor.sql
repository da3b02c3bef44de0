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

{#- One row per entity with the survivor of each field: `select <entity>, <field>... from <source> group by
    <entity>`. fields: list of [alias, column, filter or none]. DuckDB takes each survivor with an ordered
    aggregate, one pass (six windows over a million records, each its own sort, took three times as long);
    other engines take the window of identity_survivor, then collapse. Same values either way. -#}
{% macro identity_survivors(source, entity, fields) -%}
    {{ return(adapter.dispatch('identity_survivors', 'revops')(source, entity, fields)) }}
{%- endmacro %}

{% macro default__identity_survivors(source, entity, fields) -%}
    select
        {{ entity }},
        {%- for alias, column, filter in fields %}
        max({{ alias }}) as {{ alias }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from (
        select
            {{ entity }},
            {%- for alias, column, filter in fields %}
            {{ identity_survivor(column, entity, filter) }} as {{ alias }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ source }}
    ) as survivors
    group by {{ entity }}
{%- endmacro %}

{% macro duckdb__identity_survivors(source, entity, fields) -%}
    select
        {{ entity }},
        {%- for alias, column, filter in fields %}
        {%- set value = column if filter is none else "case when " ~ filter ~ " then " ~ column ~ " end" %}
        first({{ value }} order by
            case when {{ value }} is null then 1 else 0 end,
            record_updated_at desc nulls last,
            source_rank,
            source_id) as {{ alias }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ source }}
    group by {{ entity }}
{%- endmacro %}
