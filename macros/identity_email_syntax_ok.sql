{#- SQL-only fallback for email syntax (engines without Python models): true when the address looks like
    local@domain.tld. DuckDB, PostgreSQL and Spark spell regular-expression matching differently. -#}
{% macro identity_email_syntax_ok(expr) -%}
    {{ return(adapter.dispatch('identity_email_syntax_ok', 'revops')(expr)) }}
{%- endmacro %}

{% macro default__identity_email_syntax_ok(expr) -%}
    ({{ expr }} ~ '^[a-z0-9!#$%&''*+/=?^_`{|}~-]+([.][a-z0-9!#$%&''*+/=?^_`{|}~-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?[.])+[a-z]{2,}$')
{%- endmacro %}

{% macro duckdb__identity_email_syntax_ok(expr) -%}
    regexp_full_match({{ expr }}, '^[a-z0-9!#$%&''*+/=?^_`{|}~-]+([.][a-z0-9!#$%&''*+/=?^_`{|}~-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?[.])+[a-z]{2,}$')
{%- endmacro %}

{% macro spark__identity_email_syntax_ok(expr) -%}
    ({{ expr }} rlike '^[a-z0-9!#$%&''*+/=?^_`{|}~-]+([.][a-z0-9!#$%&''*+/=?^_`{|}~-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?[.])+[a-z]{2,}$')
{%- endmacro %}
