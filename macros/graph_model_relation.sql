{#- The relation a model of this project builds, looked up by name in dbt's graph, without a ref: a test that
    reads an upstream model this way keeps the model it is attached to as its only parent, so dbt's (eager) test
    selection runs it only where that model is built, never in a partial build of the upstream models alone.
    Only for a model upstream of the test's own (it exists whenever that one does). -#}
{% macro graph_model_relation(model_name) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.package_name == project_name and node.name == model_name -%}
            {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("graph_model_relation: no model named '" ~ model_name ~ "' in this project") }}
{%- endmacro %}
