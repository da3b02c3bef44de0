{#- column=value pairs joined by ' | ', NULL shown as empty: the raw row as the quarantine shows it. -#}
{% macro raw_record_parts(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first %}{% do parts.append("' | '") %}{% endif -%}
        {%- do parts.append("'" ~ column ~ "='") -%}
        {%- do parts.append("coalesce(landed." ~ adapter.quote(column) ~ ", '')") -%}
    {%- endfor -%}
    {{ return(parts) }}
{%- endmacro %}
