{#- on-run-start: the role BI tools connect as (var `bi_reader_role`), created if absent. PostgreSQL only. -#}
{% macro create_reader_role() -%}
    {{ return(adapter.dispatch('create_reader_role', 'revops')()) }}
{%- endmacro %}

{% macro default__create_reader_role() -%}
    select 1
{%- endmacro %}

{% macro postgres__create_reader_role() -%}
    do $$
    begin
        if not exists (select from pg_roles where rolname = '{{ var("bi_reader_role") }}') then
            create role {{ var('bi_reader_role') }} nologin;
        end if;
    end $$
{%- endmacro %}
