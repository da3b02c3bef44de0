{#- `trim(expr)`: the text without its leading and trailing spaces (on DuckDB the Unicode space separators too:
    U+0020, U+00A0, U+1680, U+2000 to U+200A, U+202F, U+205F, U+3000; tabs and line breaks stay). -#}
{% macro trim_spaces(expr) -%}
    {{ return(adapter.dispatch('trim_spaces', 'revops')(expr)) }}
{%- endmacro %}

{% macro default__trim_spaces(expr) -%}
    trim({{ expr }})
{%- endmacro %}

{#- DuckDB: the same result, with `trim` only where it can change the text. Its trim walks every character of
    every value (about 2 s of CPU per 10 M values), and the parse models trim every column of every raw row; an
    all-ASCII value (as many bytes as characters) without a space at either end is returned as it is, for a
    fifteenth of that. -#}
{% macro duckdb__trim_spaces(expr) -%}
    case
        when strlen({{ expr }}) = length({{ expr }}) and not ({{ expr }} like ' %' or {{ expr }} like '% ')
            then {{ expr }}
        else trim({{ expr }})
    end
{%- endmacro %}
