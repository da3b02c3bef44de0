{#- Layers land in plain schemas (staging, intermediate, marts, quality, reference) rather than
    <target_schema>_<layer>, so BI tools find the marts under one stable name. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
