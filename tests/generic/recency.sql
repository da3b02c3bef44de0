{#- Fails when the newest value of a timestamp column is older than `interval` `datepart`s before now
    (or before `reference`, an SQL expression, e.g. for fixed sample data). -#}
{% test recency(model, column_name, datepart, interval, reference=none) %}

{%- set ref_ts = reference if reference else 'cast(' ~ dbt.current_timestamp() ~ ' as timestamp)' %}

with newest as (

    select max({{ column_name }}) as newest_at from {{ model }}

)

select newest_at
from newest
where
    newest_at is null
    or newest_at < {{ dbt.dateadd(datepart, -1 * interval, ref_ts) }}

{% endtest %}
