{#- Parse the usual spellings of a boolean (true/false, t/f, 1/0, yes/no, any case); NULL otherwise. -#}
{% macro safe_boolean(expr) -%}
    case
        when lower(trim({{ expr }})) in ('true', 't', '1', 'yes', 'y') then true
        when lower(trim({{ expr }})) in ('false', 'f', '0', 'no', 'n') then false
    end
{%- endmacro %}
