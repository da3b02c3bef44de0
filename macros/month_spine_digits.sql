{#- The ten digits 0-9 as a relation with one column `digit` (a helper of month_spine). -#}
{% macro month_spine_digits() -%}
    {%- for digit in range(10) %}select {{ digit }} as digit{% if not loop.last %} union all {% endif %}{% endfor -%}
{%- endmacro %}
