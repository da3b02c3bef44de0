{#- Parse ISO 8601 text (a date, or a timestamp whose UTC date is taken) to a date; NULL when it does not parse. -#}
{% macro safe_date(expr) -%}
    {{ return(adapter.dispatch('safe_date', 'revops')(expr)) }}
{%- endmacro %}

{% macro default__safe_date(expr) -%}
    cast({{ safe_timestamp_utc(expr) }} as date)
{%- endmacro %}

{% macro postgres__safe_date(expr) -%}
    revops_udf.try_date({{ expr }})
{%- endmacro %}
