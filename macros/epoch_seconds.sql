{#- Seconds since 1970-01-01 of a timestamp (taken as UTC), so that the seconds between two timestamps are a plain
    difference. dbt.datediff(..., 'second') repeats each argument three times on Spark (a case of ceil and
    floor): nested inside period_months the SQL grew past what Spark's parser can hold. -#}
{% macro epoch_seconds(expr) -%}
    {{ return(adapter.dispatch('epoch_seconds', 'revops')(expr)) }}
{%- endmacro %}

{% macro default__epoch_seconds(expr) -%}
    extract(epoch from {{ expr }})
{%- endmacro %}

{% macro spark__epoch_seconds(expr) -%}
    unix_timestamp({{ expr }})
{%- endmacro %}
