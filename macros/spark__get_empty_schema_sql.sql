{#- Contracts on Spark: the marts' yml spells types the DuckDB and PostgreSQL way (varchar, double precision),
    which Spark cannot cast to (varchar needs a length). dbt checks a contract by casting NULL to each yml type
    and comparing the result with the model's columns; on Spark the types are first translated to Spark's
    names, so the same yml enforces the same contract. -#}
{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set spark_types = {'varchar': 'string', 'text': 'string', 'character varying': 'string', 'double precision': 'double'} -%}
    {%- set translated = {} -%}
    {%- for name, column in columns.items() -%}
        {%- set data_type = column.get('data_type') -%}
        {%- set spark_type = spark_types.get((data_type or '') | trim | lower, data_type) -%}
        {%- do translated.update({name: dict(column, data_type=spark_type)}) -%}
    {%- endfor -%}
    {{ return(default__get_empty_schema_sql(translated)) }}
{%- endmacro %}
