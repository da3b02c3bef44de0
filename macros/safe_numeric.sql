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

{#- DuckDB's cast reads digit separators (1_000 as 1000, 1_2.5 as 12.5); PostgreSQL 15's and Spark's do not, and
    the contract's numbers have none: such text is not a number on any engine (quarantined as non-numeric). -#}
{% macro duckdb__safe_numeric(expr, precision, scale) -%}
    try_cast(case when not contains({{ expr }}, '_') then {{ expr }} end as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}
