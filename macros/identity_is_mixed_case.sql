{#- True when a text mixes upper and lower case ('John', 'McDonald', 'ACME Corp.'); false for one written all in
    capitals or all in lower case ('JOHN', 'john', 'IBM') and for one without cased letters; NULL for NULL.
    Survivorship prefers such a value (identity_survivors' prefer): a name typed in capitals is the same name. -#}
{% macro identity_is_mixed_case(expr) -%}
    ({{ expr }} <> upper({{ expr }}) and {{ expr }} <> lower({{ expr }}))
{%- endmacro %}
