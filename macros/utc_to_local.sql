{#- A UTC timestamp (without time zone) as the wall-clock time in an IANA time zone (a column or a quoted
    literal), daylight saving included: 09:00 UTC on 1 July is 11:00 in Europe/Berlin, on 1 March 10:00.
    DuckDB (its built-in ICU extension) and PostgreSQL read the zone database through AT TIME ZONE; Spark
    through from_utc_timestamp. A NULL zone gives NULL. Wrapped in parentheses: a cast after it (dbt-duckdb's
    datediff appends ::timestamp) must apply to the result, not to the zone. -#}
{% macro utc_to_local(timestamp_expr, zone_expr) -%}
    {{ return(adapter.dispatch('utc_to_local', 'revops')(timestamp_expr, zone_expr)) }}
{%- endmacro %}

{% macro default__utc_to_local(timestamp_expr, zone_expr) -%}
    ((({{ timestamp_expr }}) at time zone 'UTC') at time zone ({{ zone_expr }}))
{%- endmacro %}

{% macro spark__utc_to_local(timestamp_expr, zone_expr) -%}
    from_utc_timestamp({{ timestamp_expr }}, {{ zone_expr }})
{%- endmacro %}
