{#- Parse ISO 8601 text to a UTC timestamp without time zone; NULL when it does not parse.
    Text with an offset (+02:00, Z) is converted to UTC; text without one is taken as UTC (the contract).
    Only ISO 8601 shapes parse: engines' extras ('yesterday', 'epoch', 'infinity') are not timestamps here. -#}
{% macro safe_timestamp_utc(expr) -%}
    {{ return(adapter.dispatch('safe_timestamp_utc', 'revops')(expr)) }}
{%- endmacro %}

{% macro default__safe_timestamp_utc(expr) -%}
    case
        when regexp_matches({{ expr }}, '{{ iso8601_pattern() }}')
            then cast(try_cast({{ expr }} as timestamptz) at time zone 'UTC' as timestamp)
    end
{%- endmacro %}

{% macro postgres__safe_timestamp_utc(expr) -%}
    revops_udf.try_timestamp_utc({{ expr }})
{%- endmacro %}

{% macro spark__safe_timestamp_utc(expr) -%}
    case
        when {{ expr }} rlike '{{ iso8601_pattern() }}'
            then to_utc_timestamp(try_cast({{ expr }} as timestamp), 'UTC')
    end
{%- endmacro %}
