{#- HubSpot's lifecycle stages in the order a contact moves through them. A golden record shows the furthest stage
    of its live (not soft-deleted) records, of all of them when no live one has a stage: the max of
    lifecycle_stage_order over them, named again by lifecycle_stage_name. One list for both directions
    (dim_contacts, dim_customers and int_identity__person_members use it). -#}
{% macro lifecycle_stages() -%}
    {{ return(['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer',
               'evangelist']) }}
{%- endmacro %}

{#- A stage as its number (subscriber 1 ... evangelist 7); NULL for no stage or an unknown one. -#}
{% macro lifecycle_stage_order(stage) -%}
    case {{ stage }}
        {%- for name in lifecycle_stages() %}
        when '{{ name }}' then {{ loop.index }}
        {%- endfor %}
    end
{%- endmacro %}

{#- The stage of a number from lifecycle_stage_order; `otherwise` (SQL) when it is none of them. -#}
{% macro lifecycle_stage_name(stage_order, otherwise=none) -%}
    case {{ stage_order }}
        {%- for name in lifecycle_stages() %}
        when {{ loop.index }} then '{{ name }}'
        {%- endfor %}
        {%- if otherwise is not none %}
        else {{ otherwise }}
        {%- endif %}
    end
{%- endmacro %}

{#- The lifecycle stage a Salesforce lead record stands for (columns of stg_salesforce__lead): a lead is `lead`;
    converted, `salesqualifiedlead`; converted with the deal it opened, `opportunity`. A person or company takes
    the furthest stage of its records, HubSpot's among them. `opportunity_is_deleted` (optional): the is_deleted
    flag of that deal (stg_salesforce__opportunity, left joined on converted_opportunity_id); a lead whose deal a
    rep soft-deleted stands for `salesqualifiedlead`, as one converted without a deal (a deal missing from the
    export still counts: NULL is not deleted). -#}
{% macro crm_lead_lifecycle_stage(
    is_converted='is_converted', converted_opportunity_id='converted_opportunity_id', opportunity_is_deleted=none
) -%}
    case
        when
            coalesce({{ is_converted }}, false) and {{ converted_opportunity_id }} is not null
            {%- if opportunity_is_deleted is not none %}
            and not coalesce({{ opportunity_is_deleted }}, false)
            {%- endif %}
            then 'opportunity'
        when coalesce({{ is_converted }}, false) then 'salesqualifiedlead'
        else 'lead'
    end
{%- endmacro %}
