{#- `expr` without the tabs, line breaks (CR, LF) and spaces at either end: for ids and emails, which never hold
    one, so a value edited in a spreadsheet or pasted from a TSV (`cus_123<TAB>`) still joins. Text keeps its tabs
    (trim_spaces). -#}
{% macro trim_breaks(expr) -%}
    {{ return(adapter.dispatch('trim_breaks', 'revops')(expr)) }}
{%- endmacro %}

{% macro default__trim_breaks(expr) -%}
    trim(both chr(9) || chr(10) || chr(13) || ' ' from {{ expr }})
{%- endmacro %}

{#- DuckDB: the same result, with the trim only on a value that starts or ends in a tab, line break or space (the parse
    models run it on every id and email of every raw row; the tests are constant patterns). -#}
{% macro duckdb__trim_breaks(expr) -%}
    case
        when
            {{ expr }} like chr(9) || '%' or {{ expr }} like '%' || chr(9)
            or {{ expr }} like chr(10) || '%' or {{ expr }} like '%' || chr(10)
            or {{ expr }} like chr(13) || '%' or {{ expr }} like '%' || chr(13)
            or {{ expr }} like ' %' or {{ expr }} like '% '
            then trim({{ expr }}, chr(9) || chr(10) || chr(13) || ' ')
        else {{ expr }}
    end
{%- endmacro %}
