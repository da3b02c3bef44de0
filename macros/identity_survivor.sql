{#- Survivorship of one golden-record field: the value of the most recent record (record_updated_at) that has
    one, ties broken by system priority (source_rank, lower wins), then source id. Used inside a select over
    member records, partitioned by the entity id. prefer (a condition on the column, or none) puts the values
    that meet it first, ahead of recency: a properly cased name (identity_is_mixed_case) over a more recent
    ALL-CAPS or all-lowercase one. deleted (a boolean column, or none) puts a live record's value before a
    soft-deleted one's, however recent: a duplicate a rep created and deleted gives a value only when no live
    record has one. -#}
{% macro identity_survivor(column, partition_by, filter=none, prefer=none, deleted=none) -%}
    {%- set value = column if filter is none else "case when " ~ filter ~ " then " ~ column ~ " end" -%}
    first_value({{ value }}) over (
        partition by {{ partition_by }}
        order by
            {{ identity_survivor_order(value, prefer, deleted) }}
        rows between unbounded preceding and unbounded following
    )
{%- endmacro %}

{#- The order of survivorship (see identity_survivor): values first, preferred values first (a spelling: a
    mixed-case name, wherever it comes from), live records' first (when `deleted` names the soft-delete flag),
    most recent first, then system priority and source id. -#}
{% macro identity_survivor_order(value, prefer=none, deleted=none) -%}
    case when {{ value }} is null then 1 else 0 end,
    {%- if prefer is not none %}
    case when {{ prefer }} then 0 else 1 end,
    {%- endif %}
    {%- if deleted is not none %}
    case when coalesce({{ deleted }}, false) then 1 else 0 end,
    {%- endif %}
    record_updated_at desc nulls last,
    source_rank,
    source_id
{%- endmacro %}

{#- One row per entity with the survivor of each field: `select <entity>, <field>... from <source> group by
    <entity>`. fields: list of [alias, column, filter or none] or [alias, column, filter or none, prefer], prefer a
    condition on the column (only records with a value are ranked by it). DuckDB takes each survivor with an
    ordered aggregate, one pass (six windows over a million records, each its own sort, took three times as
    long); other engines take the window of identity_survivor, then collapse. Same values either way. deleted:
    the soft-delete flag of the source (live records' values first), or none. -#}
{% macro identity_survivors(source, entity, fields, deleted=none) -%}
    {{ return(adapter.dispatch('identity_survivors', 'revops')(source, entity, fields, deleted)) }}
{%- endmacro %}

{% macro default__identity_survivors(source, entity, fields, deleted=none) -%}
    select
        {{ entity }},
        {%- for field in fields %}
        max({{ field[0] }}) as {{ field[0] }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from (
        select
            {{ entity }},
            {%- for field in fields %}
            {{ identity_survivor(field[1], entity, field[2], field[3] if field | length > 3 else none, deleted) }}
                as {{ field[0] }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ source }}
    ) as survivors
    group by {{ entity }}
{%- endmacro %}

{% macro duckdb__identity_survivors(source, entity, fields, deleted=none) -%}
    select
        {{ entity }},
        {%- for field in fields %}
        {%- set value = field[1] if field[2] is none else "case when " ~ field[2] ~ " then " ~ field[1] ~ " end" %}
        first({{ value }} order by
            {{ identity_survivor_order(value, field[3] if field | length > 3 else none, deleted) }}) as {{ field[0] }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ source }}
    group by {{ entity }}
{%- endmacro %}
