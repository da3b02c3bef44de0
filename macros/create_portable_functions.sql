{#- on-run-start: engine helpers that the parsing macros call. DuckDB and Spark have try_cast built in;
    PostgreSQL gets small functions that return NULL instead of raising on text that does not parse. -#}
{% macro create_portable_functions() -%}
    {{ return(adapter.dispatch('create_portable_functions', 'revops')()) }}
{%- endmacro %}

{% macro default__create_portable_functions() -%}
    select 1
{%- endmacro %}

{% macro postgres__create_portable_functions() -%}
    create schema if not exists revops_udf;
    create or replace function revops_udf.try_timestamp_utc(value text) returns timestamp
    language plpgsql immutable as $$
    begin
        -- ISO 8601 only: PostgreSQL would otherwise accept 'yesterday', 'now', 'epoch', 'infinity'.
        if value !~ '{{ iso8601_pattern() }}' then
            return null;
        end if;
        if value ~ '(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$' then
            return (value::timestamptz) at time zone 'UTC';
        end if;
        return value::timestamp;
    exception when others then
        return null;
    end $$;
    create or replace function revops_udf.try_numeric(value text) returns numeric
    language plpgsql immutable as $$
    begin
        return value::numeric;
    exception when others then
        return null;
    end $$;
    -- numeric(precision, scale) or NULL: a value that does not fit (10000000000000 in numeric(18, 6)) is NULL like
    -- text that does not parse, as DuckDB's and Spark's try_cast make it, not a 'numeric field overflow' that
    -- fails the whole model
    create or replace function revops_udf.try_numeric(value text, value_precision integer, value_scale integer)
    returns numeric
    language plpgsql immutable as $$
    declare
        parsed numeric;
    begin
        parsed := value::numeric;
        if abs(round(parsed, value_scale)) >= 10::numeric ^ (value_precision - value_scale) then
            return null;
        end if;
        return round(parsed, value_scale);
    exception when others then
        return null;
    end $$;
    create or replace function revops_udf.try_date(value text) returns date
    language plpgsql immutable as $$
    begin
        return revops_udf.try_timestamp_utc(value)::date;
    exception when others then
        return null;
    end $$
{%- endmacro %}
