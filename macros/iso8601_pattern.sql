{#- The shapes of ISO 8601 text the warehouse accepts as a date or timestamp:
    2024-01-31, 2024-01-31T10:00, 2024-01-31 10:00:00.123, with an optional Z or +hh:mm / -hhmm offset. -#}
{% macro iso8601_pattern() -%}
    ^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)? *(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)?$
{%- endmacro %}
