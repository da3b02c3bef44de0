{#- The factor that converts an amount in `currency_column` into the reporting currency (var reporting_currency):
    1 for the reporting currency itself, whether or not the FX export lists it, else `rate_column` (an
    int_fx_rates__monthly rate_to_reporting, NULL when no rate converts the currency, so the amount is NULL, never a
    silent 0). -#}
{% macro reporting_rate(currency_column, rate_column) -%}
    case when {{ currency_column }} = '{{ var("reporting_currency") }}' then 1 else {{ rate_column }} end
{%- endmacro %}
