{#- numerator / denominator, NULL (never an error, never 0) when the denominator is 0 or NULL.
    Pair it with a `<kpi>_null_reason` column that says why. Division is done in floating point. -#}
{% macro safe_divide(numerator, denominator) -%}
    case
        when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
        else cast({{ numerator }} as {{ type_double() }}) / ({{ denominator }})
    end
{%- endmacro %}
