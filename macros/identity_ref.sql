{#- ref() of an identity intermediate that has a Python and a SQL-rules variant: `name` (Python model) when
    identity_use_python(), else `name ~ '_rules'`. -#}
{% macro identity_ref(name) -%}
    {%- if identity_use_python() -%}
        {{ return(ref(name)) }}
    {%- else -%}
        {{ return(ref(name ~ '_rules')) }}
    {%- endif -%}
{%- endmacro %}
