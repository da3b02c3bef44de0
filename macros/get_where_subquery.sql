{#-
    The relation a generic test reads (dbt's get_where_subquery, overridden here): the model under test,
    filtered by the test's `where` config if it has one, and, in a `revops build --changed` run, scoped to the
    rows of the large incremental staging views that can have changed since the last successful build.

    `revops build --changed` passes REVOPS_CHANGED_SINCE_ROW, a JSON object: staging view -> the highest
    `_source_row` its parse model held after that build. The test then reads only the rows whose key has a row
    above that mark: every new row, and every current row of a key that just arrived (a re-sent key's earlier
    version is re-ranked with the new one). The other rows are exactly those the last successful build tested.
    `int_playbooks__email_send_events` follows the mark of `stg_hubspot__email_event` through its watermark
    `_events_through_row` (its meta `changed_rows`): the rows it rewrote since. Both are tested whole after a
    full reload of the email events, which drops the incremental send events (revops load).
    Without the variable (a full build, plain dbt, or a `--changed` build after the project's code changed)
    every row is tested; so is every row of a test that also reads a model this run rebuilds. The loader's full
    reload of a table renumbers its rows: `revops build --changed` then leaves that view unscoped.
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
    only (`execute`), so parsing does not depend on the variable. The key is the one the view's own uniqueness
    test names (changed_rows_key): declared once, in the view's yml. -#}
{% macro changed_rows_scope(relation) -%}
    {%- if not execute or relation.identifier is not defined -%}
        {{ return('') }}
    {%- endif -%}
    {%- set marks = fromjson(env_var('REVOPS_CHANGED_SINCE_ROW', '{}')) -%}
    {#- An incremental model downstream of a view can follow the view's mark (meta changed_rows: {mark, column}):
        its rows written since have `column` above it. -#}
    {%- set tested = graph.nodes.get('model.' ~ project_name ~ '.' ~ relation.identifier) -%}
    {%- set follows = tested.config.meta.get('changed_rows') if tested else none -%}
    {%- set mark_name = follows.mark if follows else relation.identifier -%}
    {%- set row_column = follows.column if follows else '_source_row' -%}
    {%- if mark_name not in marks -%}
        {{ return('') }}
    {%- endif -%}
    {#- A test that reads another model too (relationships): when this run rebuilds that model, old rows can fail
        as well (a parent row gone), so the test reads every row. -#}
    {%- set own_id = 'model.' ~ project_name ~ '.' ~ relation.identifier -%}
    {%- for parent in model.depends_on.nodes if parent != own_id and parent in selected_resources -%}
        {{ return('') }}
    {%- endfor -%}
    {%- set key_columns = changed_rows_key(relation.identifier) -%}
    {%- if not key_columns -%}
        {{ exceptions.raise_compiler_error(
            'REVOPS_CHANGED_SINCE_ROW names ' ~ relation.identifier ~ ', which has no unique or '
            ~ 'unique_combination_of_columns test to take its key from') }}
    {%- endif -%}
    {%- set key = key_columns | join(', ') -%}
    {{ return('(' ~ key ~ ') in (select ' ~ key ~ ' from ' ~ relation ~ ' where ' ~ row_column ~ ' > '
              ~ (marks[mark_name] | int) ~ ')') }}
{%- endmacro %}


{#- The key columns of model `model_name` as its uniqueness test declares them (a `unique` test's column, or
    the columns of `unique_combination_of_columns`); none when it has neither. -#}
{% macro changed_rows_key(model_name) -%}
    {%- set model_id = 'model.' ~ project_name ~ '.' ~ model_name -%}
    {%- for node in graph.nodes.values() -%}
        {%- set meta = node.get('test_metadata') -%}
        {%- if node.resource_type == 'test' and meta and node.get('attached_node') == model_id -%}
            {%- if meta.name == 'unique' -%}
                {{ return([meta.kwargs.column_name]) }}
            {%- elif meta.name == 'unique_combination_of_columns' -%}
                {{ return(meta.kwargs.combination_of_columns) }}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}
