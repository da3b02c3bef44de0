{#- 'value' quoted and cut to 100 characters, for a quarantine reason. -#}
{% macro quoted_value(expr) -%}
    {{ dbt.concat(["''''", "substr(" ~ expr ~ ", 1, 100)", "''''"]) }}
{%- endmacro %}
