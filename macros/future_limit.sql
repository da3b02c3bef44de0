{#- The latest plausible timestamp: now plus the clock-skew allowance. -#}
{% macro future_limit() -%}
    {{ dbt.dateadd('day', var('future_tolerance_days'), 'cast(' ~ dbt.current_timestamp() ~ ' as timestamp)') }}
{%- endmacro %}
