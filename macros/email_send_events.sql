{#-
    Incremental upkeep of int_playbooks__email_send_events (one row per SENT event with its campaign response).

    A send's response flags depend on every event of its (campaign, recipient) group, so a build recomputes
    whole groups: those that any event landed since the last build touches. The groups of *every* version of
    each arrived event id are taken (the superseded versions live only in the parse model), so an event re-sent
    with another campaign, recipient or type refreshes its old group as well as its new one.

    The watermark is `_events_through_row`: the parse model's highest `_source_row` when the row was written.

    Finding the groups looks up every version of the arrived ids among all the parse model's rows (about 2 s at
    scale 100, 11 M rows). The first pre-hook does it once and keeps the groups in a helper table next to the
    model (email_send_events_touched_relation); the delete and the model's query read that table, and the
    post-hook drops it.
-#}

{% macro email_send_events_touched_groups() -%}
    {%- set versions = ref('base_hubspot__email_event') -%}
    select distinct
        coalesce(versions.campaign_id, '') as campaign_key,
        coalesce({{ identity_normalise_email('versions.recipient') }}, '') as recipient_key
    from {{ versions }} as versions
    inner join (
        select distinct id
        from {{ versions }}
        where _source_row > (select coalesce(max(_events_through_row), 0) from {{ this }})
    ) as arrived
        on versions.id = arrived.id
{%- endmacro %}


{#- The helper table holding the touched groups of the running incremental build (campaign_key, recipient_key). -#}
{% macro email_send_events_touched_relation() -%}
    {{ return(api.Relation.create(database=this.database, schema=this.schema,
                                  identifier=this.identifier ~ '__touched_groups', type='table')) }}
{%- endmacro %}


{#- Pre-hooks: note the touched groups once in the helper table. The drop (first pre-hook and post-hook) runs on
    full builds too, so a helper table left by a build that failed is gone whichever way the model is rebuilt;
    Spark, where the model is a plain table, never writes one. -#}
{% macro email_send_events_drop_touched_groups() -%}
    {%- if target.type != 'spark' -%}
    drop table if exists {{ email_send_events_touched_relation() }}
    {%- endif -%}
{%- endmacro %}

{% macro email_send_events_note_touched_groups() -%}
    {%- if is_incremental() -%}
    create table {{ email_send_events_touched_relation() }} as
    {{ email_send_events_touched_groups() }}
    {%- endif -%}
{%- endmacro %}


{#- A condition on the events' campaign: on an incremental build, one of the touched groups' campaigns (a daily
    export reaches a few campaigns, so only their events are normalised and joined); `true` on a full build. -#}
{% macro email_send_events_in_touched_campaigns(campaign_column) -%}
    {%- if is_incremental() -%}
    coalesce({{ campaign_column }}, '') in (
        select touched_groups.campaign_key
        from {{ email_send_events_touched_relation() }} as touched_groups
    )
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}


{#- The events (a relation with campaign_id and normalised recipient_email) to recompute: all of them on a
    full build, those of the touched groups on an incremental one. -#}
{% macro email_send_events_in_touched_groups(events) -%}
    {%- if is_incremental() -%}
    select {{ events }}.*
    from {{ events }}
    inner join {{ email_send_events_touched_relation() }} as touched_groups
        on
            coalesce({{ events }}.campaign_id, '') = touched_groups.campaign_key
            and coalesce({{ events }}.recipient_email, '') = touched_groups.recipient_key
    {%- else -%}
    select * from {{ events }}
    {%- endif -%}
{%- endmacro %}


{#- Pre-hook (after the note): delete the rows of the touched groups before they are recomputed, so a send that no longer is one
    (re-sent as another type, campaign or recipient) leaves. Nothing to do on a full build. -#}
{% macro email_send_events_forget_touched_groups() -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where (coalesce(campaign_id, ''), coalesce(recipient_email, '')) in (
        select
            touched_groups.campaign_key,
            touched_groups.recipient_key
        from {{ email_send_events_touched_relation() }} as touched_groups
    )
    {%- endif -%}
{%- endmacro %}
