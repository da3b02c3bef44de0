{#- Fails for rows whose value lies outside [min_value, max_value] (either bound optional). NULLs pass. -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

select *
from {{ model }}
where
    {%- if min_value is not none %}
    {{ column_name }} {{ '<' if inclusive else '<=' }} {{ min_value }}
    {%- endif %}
    {%- if min_value is not none and max_value is not none %} or {% endif %}
    {%- if max_value is not none %}
    {{ column_name }} {{ '>' if inclusive else '>=' }} {{ max_value }}
    {%- endif %}

{% endtest %}
