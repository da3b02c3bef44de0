{#- True when the identity layer runs its Python models (splink, email-validator, phonenumbers): var
    identity_engine = 'python', or 'auto' on DuckDB. Otherwise the SQL rules models (suffix _rules) build the
    same relations' contents, so downstream models never change. -#}
{% macro identity_use_python() -%}
    {%- set engine = var('identity_engine', 'auto') -%}
    {{ return(engine == 'python' or (engine == 'auto' and target.type == 'duckdb')) }}
{%- endmacro %}
