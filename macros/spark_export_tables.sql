{#- run-operation, Spark target only (revops.spark): write built tables out as Parquet, to compare them with
    DuckDB's. `tables` maps "schema.table" to an output folder (overwritten). -#}
{% macro spark_export_tables(tables) -%}
    {%- for relation, path in tables.items() -%}
        {%- do run_query("insert overwrite directory '" ~ path ~ "' using parquet select * from " ~ relation) -%}
    {%- endfor -%}
{%- endmacro %}
