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

{#- DuckDB: a plain date (2026-02-03) is cast directly (the profile's session time zone is UTC, so it is the
    general path's result without its regular expression and time-zone-aware cast). -#}
{% macro duckdb__safe_date(expr) -%}
    case
        when {{ expr }} glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' then try_cast({{ expr }} as date)
        else {{ default__safe_date(expr) }}
    end
{%- endmacro %}
