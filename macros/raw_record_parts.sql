{#- column=value pairs joined by ' | ', NULL shown as empty: the raw row as the quarantine shows it. -#}
{% macro raw_record_parts(columns, column_suffix='') -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first %}{% do parts.append("' | '") %}{% endif -%}
        {%- do parts.append("'" ~ column ~ "='") -%}
        {%- do parts.append("coalesce(" ~ adapter.quote(column ~ column_suffix) ~ ", '')") -%}
    {%- endfor -%}
    {{ return(parts) }}
{%- endmacro %}
