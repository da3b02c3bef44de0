{#- A surrogate key: md5 of the columns cast to text, NULL shown as a marker so (a, NULL) and (NULL, a) differ.
    Portable through dbt.hash / dbt.concat. -#}
{% macro hash_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first %}{% do parts.append("'|'") %}{% endif -%}
        {%- do parts.append("coalesce(" ~ dbt.cast(column, dbt.type_string()) ~ ", '<null>')") -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
