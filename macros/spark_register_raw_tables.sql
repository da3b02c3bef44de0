{#- run-operation, Spark target only (revops.spark): make the landed raw tables visible to the models.
    `tables` maps "raw_<system>.<table>" to a folder of Parquet files exported from the DuckDB landing
    database; each becomes an external metastore table over those files, so sources resolve as on DuckDB. -#}
{% macro spark_register_raw_tables(tables) -%}
    {%- for relation, path in tables.items() -%}
        {%- set parts = relation.split('.') -%}
        {%- do run_query('create database if not exists ' ~ parts[0]) -%}
        {%- do run_query('drop table if exists ' ~ parts[0] ~ '.`' ~ parts[1] ~ '`') -%}
        {%- do run_query('create table ' ~ parts[0] ~ '.`' ~ parts[1] ~ "` using parquet location '" ~ path ~ "'") -%}
    {%- endfor -%}
{%- endmacro %}
