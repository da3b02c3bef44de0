{#- The latest plausible value of a row's timestamp: the moment the row was exported plus the clock-skew
    allowance (var future_tolerance_days).

    The moment is the row's own `_loaded_at` (`loaded_at`, typed), so the verdict is a property of the row: it
    does not change with the day the build runs, and an incremental parse and a later full refresh agree. A row
    without `_loaded_at` (the column is optional in the contract), or one whose `_loaded_at` is itself later than
    now, is judged against the build's clock. -#}
{% macro future_limit(loaded_at=none) -%}
    {%- set now = 'cast(' ~ dbt.current_timestamp() ~ ' as timestamp)' -%}
    {%- set moment = ('least(coalesce(' ~ loaded_at ~ ', ' ~ now ~ '), ' ~ now ~ ')') if loaded_at else now -%}
    {{ dbt.dateadd('day', var('future_tolerance_days'), moment) }}
{%- endmacro %}
