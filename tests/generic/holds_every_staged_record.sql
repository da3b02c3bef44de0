{#- Fails for each record of an upstream staging model (staged_model, its key column) that the crosswalk (the
    model tested) does not hold as (source_system, source_table, source_id): a contact, payer or account the
    marts would silently leave out. The staging model is read through graph_model_relation, not ref, so the
    test's only parent is the crosswalk and a partial build of staging alone does not run it. -#}
{% test holds_every_staged_record(model, source_system, source_table, staged_model, key) %}

with staged as (

    select distinct {{ key }} as source_id
    from {{ graph_model_relation(staged_model) }}
    where {{ key }} is not null

),

held as (

    select source_id
    from {{ model }}
    where source_system = '{{ source_system }}' and source_table = '{{ source_table }}'

)

select
    '{{ source_system }}' as source_system,
    '{{ source_table }}' as source_table,
    staged.source_id
from staged
left join held
    on staged.source_id = held.source_id
where held.source_id is null

{% endtest %}
