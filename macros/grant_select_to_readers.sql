{#- post-hook of the marts: BI readers (role var `bi_reader_role`) may read marts, never raw schemas.
    PostgreSQL only; DuckDB files are shared read-only through the published copy instead. -#}
{% macro grant_select_to_readers() -%}
    {{ return(adapter.dispatch('grant_select_to_readers', 'revops')()) }}
{%- endmacro %}

{% macro default__grant_select_to_readers() -%}
    select 1
{%- endmacro %}

{% macro postgres__grant_select_to_readers() -%}
    grant usage on schema {{ this.schema }} to {{ var('bi_reader_role') }};
    grant select on {{ this }} to {{ var('bi_reader_role') }}
{%- endmacro %}
