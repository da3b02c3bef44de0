{#-
    The relation a generic test reads (dbt's get_where_subquery, overridden here): the model under test,
    filtered by the test's `where` config if it has one, and, in a `revops build --changed` run, scoped to the
    rows of the large incremental staging views that can have changed since the last successful build.

    `revops build --changed` passes REVOPS_CHANGED_SINCE_ROW, a JSON object: staging view -> the highest
    `_source_row` its parse model held after that build. The test then reads only the rows whose key has a row
    above that mark: every new row, and every current row of a key that just arrived (a re-sent key's earlier
    version is re-ranked with the new one). The other rows are exactly those the last successful build tested.
    Without the variable (a full build, plain dbt) every row is tested. The loader's full reload of a table
    renumbers its rows: `revops build --changed` then leaves that view unscoped.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set scope = changed_rows_scope(relation) -%}
    {%- if where and scope -%}
        {{ return('(select * from ' ~ relation ~ ' where (' ~ where ~ ') and ' ~ scope ~ ') dbt_subquery') }}
    {%- elif where or scope -%}
        {{ return('(select * from ' ~ relation ~ ' where ' ~ (where or scope) ~ ') dbt_subquery') }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}


{#- The condition scoping a test of `relation` to its changed rows, or '' (test every row). Read at run time
    only (`execute`), so parsing does not depend on the variable. -#}
{% macro changed_rows_scope(relation) -%}
    {%- set keys = {
        'stg_hubspot__email_event': ['email_event_id'],
        'stg_product__usage_daily': ['usage_date', 'stripe_customer_id'],
        'stg_salesforce__opportunity_history': ['opportunity_history_id'],
        'stg_stripe__invoice_line_item': ['invoice_line_item_id'],
    } -%}
    {%- if not execute or relation.identifier is not defined or relation.identifier not in keys -%}
        {{ return('') }}
    {%- endif -%}
    {%- set marks = fromjson(env_var('REVOPS_CHANGED_SINCE_ROW', '{}')) -%}
    {%- if relation.identifier not in marks -%}
        {{ return('') }}
    {%- endif -%}
    {%- set key = keys[relation.identifier] | join(', ') -%}
    {{ return('(' ~ key ~ ') in (select ' ~ key ~ ' from ' ~ relation ~ ' where _source_row > '
              ~ (marks[relation.identifier] | int) ~ ')') }}
{%- endmacro %}
