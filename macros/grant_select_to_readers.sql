{#- post-hook of the marts: BI readers (role var `bi_reader_role`) may read marts, never raw schemas.
    PostgreSQL only; DuckDB files are shared read-only through the published copy instead. -#}
{% macro grant_select_to_readers() -%}
    {{ return(adapter.dispatch('grant_select_to_readers', 'revops')()) }}
{%- endmacro %}

{% macro default__grant_select_to_readers() -%}
    select 1
{%- endmacro %}

{#- `grant usage on schema` rewrites the schema's catalog row: two marts finishing together on two threads made
    PostgreSQL fail one with "tuple concurrently updated". The hook runs inside the model's transaction, so a
    transaction-scoped advisory lock per schema makes the grants wait for each other until commit. -#}
{% macro postgres__grant_select_to_readers() -%}
    select pg_advisory_xact_lock(hashtext('revops: grant usage on schema {{ this.schema }}'));
    grant usage on schema {{ this.schema }} to {{ var('bi_reader_role') }};
    grant select on {{ this }} to {{ var('bi_reader_role') }}
{%- endmacro %}
