{#- Parse ISO 8601 text to a UTC timestamp without time zone; NULL when it does not parse.
    Text with an offset (+02:00, Z) is converted to UTC; text without one is taken as UTC (the contract). -#}
{% macro safe_timestamp_utc(expr) -%}
    {{ return(adapter.dispatch('safe_timestamp_utc', 'revops')(expr)) }}
{%- endmacro %}

{% macro default__safe_timestamp_utc(expr) -%}
    cast(try_cast({{ expr }} as timestamptz) at time zone 'UTC' as timestamp)
{%- endmacro %}

{% macro postgres__safe_timestamp_utc(expr) -%}
    revops_udf.try_timestamp_utc({{ expr }})
{%- endmacro %}

{% macro spark__safe_timestamp_utc(expr) -%}
    to_utc_timestamp(try_cast({{ expr }} as timestamp), 'UTC')
{%- endmacro %}
