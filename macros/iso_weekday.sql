{#- ISO weekday of a date or timestamp as an integer, 1 = Monday ... 7 = Sunday. extract(dow) is 0 = Sunday on
    DuckDB and PostgreSQL but 1 = Sunday on Spark, which spells the ISO weekday dayofweek_iso. -#}
{% macro iso_weekday(expr) -%}
    {{ return(adapter.dispatch('iso_weekday', 'revops')(expr)) }}
{%- endmacro %}

{% macro default__iso_weekday(expr) -%}
    cast(case when extract(dow from {{ expr }}) = 0 then 7 else extract(dow from {{ expr }}) end as integer)
{%- endmacro %}

{% macro spark__iso_weekday(expr) -%}
    cast(extract(dayofweek_iso from {{ expr }}) as integer)
{%- endmacro %}
