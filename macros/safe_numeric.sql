{#- Parse text to a decimal number; NULL when it does not parse (12,50 EUR, n/a). -#}
{% macro safe_numeric(expr, precision=38, scale=6) -%}
    {{ return(adapter.dispatch('safe_numeric', 'revops')(expr, precision, scale)) }}
{%- endmacro %}

{% macro default__safe_numeric(expr, precision, scale) -%}
    try_cast({{ expr }} as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}

{% macro postgres__safe_numeric(expr, precision, scale) -%}
    cast(revops_udf.try_numeric({{ expr }}, {{ precision }}, {{ scale }}) as numeric({{ precision }}, {{ scale }}))
{%- endmacro %}
