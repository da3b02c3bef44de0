-- Every staged source record maps to a person (xref_persons) and every company record to a company
-- (xref_companies): a record no crosswalk holds is a contact, payer or account the marts silently leave out.
-- (unique_combination_of_columns on each crosswalk keeps it to one id.) Returns the staged records missing.
-- It reads several models: dagster-dbt attaches it as an asset check to the one it checks (meta dagster.ref).
{{ config(meta={'dagster': {'ref': {'name': 'xref_persons'}}}) }}
{%- set sources = [
    ('xref_persons', 'salesforce', 'contact', 'stg_salesforce__contact', 'contact_id'),
    ('xref_persons', 'salesforce', 'lead', 'stg_salesforce__lead', 'lead_id'),
    ('xref_persons', 'hubspot', 'contact', 'stg_hubspot__contact', 'contact_id'),
    ('xref_persons', 'hubspot', 'form_submission', 'stg_hubspot__form_submission', 'form_submission_id'),
    ('xref_persons', 'hubspot', 'event_attendance', 'stg_hubspot__event_attendance', 'event_attendance_id'),
    ('xref_persons', 'stripe', 'customer', 'stg_stripe__customer', 'customer_id'),
    ('xref_persons', 'zendesk', 'user', 'stg_zendesk__user', 'user_id'),
    ('xref_persons', 'zendesk', 'nps_response', 'stg_zendesk__nps_response', 'nps_response_id'),
    ('xref_companies', 'salesforce', 'account', 'stg_salesforce__account', 'account_id'),
    ('xref_companies', 'stripe', 'customer', 'stg_stripe__customer', 'customer_id'),
    ('xref_companies', 'zendesk', 'organization', 'stg_zendesk__organization', 'organization_id'),
] %}
with staged as (
    {%- for crosswalk, system, table, relation, key in sources %}

        select
            '{{ crosswalk }}' as crosswalk,
            '{{ system }}' as source_system,
            '{{ table }}' as source_table,
            {{ key }} as source_id
        from {{ ref(relation) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

crosswalks as (

    select
        'xref_persons' as crosswalk,
        source_system,
        source_table,
        source_id
    from {{ ref('xref_persons') }}
    union all
    select
        'xref_companies' as crosswalk,
        source_system,
        source_table,
        source_id
    from {{ ref('xref_companies') }}

)

select
    staged.crosswalk,
    staged.source_system,
    staged.source_table,
    staged.source_id
from staged
left join crosswalks
    on
        staged.crosswalk = crosswalks.crosswalk
        and staged.source_system = crosswalks.source_system
        and staged.source_table = crosswalks.source_table
        and staged.source_id = crosswalks.source_id
where crosswalks.source_id is null
