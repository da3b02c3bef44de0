{#- The last `labels` labels of a domain (eu.app.acme.co.uk, 3 -> acme.co.uk), the whole domain when it has no
    more. reverse() and split_part() with a positive index read the same on DuckDB, PostgreSQL and Spark. -#}
{% macro identity_domain_tail(expr, labels) -%}
    case
        when {{ dbt.length(expr) }} - {{ dbt.length("replace(" ~ expr ~ ", '.', '')") }} < {{ labels }}
            then {{ expr }}
        else reverse(
            {%- for k in range(1, labels + 1) %}
            split_part(reverse({{ expr }}), '.', {{ k }}){% if not loop.last %} || '.' ||{% endif %}
            {%- endfor %}
        )
    end
{%- endmacro %}
