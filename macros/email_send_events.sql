{#-
    Incremental upkeep of int_playbooks__email_send_events (one row per SENT event with its campaign response).

    A send's response flags depend on every event of its (campaign, recipient) group, so a build recomputes
    whole groups: those that any event landed since the last build touches. The groups of *every* version of
    each arrived event id are taken (the superseded versions live only in the parse model), so an event re-sent
    with another campaign, recipient or type refreshes its old group as well as its new one.

    The watermark is `_events_through_row`: the parse model's highest `_source_row` when the row was written.
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


{#- A condition on the events' campaign: on an incremental build, one of the touched groups' campaigns (a daily
    export reaches a few campaigns, so only their events are normalised and joined); `true` on a full build. -#}
{% macro email_send_events_in_touched_campaigns(campaign_column) -%}
    {%- if is_incremental() -%}
    coalesce({{ campaign_column }}, '') in (
        select touched_groups.campaign_key
        from ({{ email_send_events_touched_groups() }}) as touched_groups
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
    inner join (
        {{ email_send_events_touched_groups() }}
    ) as touched_groups
        on
            coalesce({{ events }}.campaign_id, '') = touched_groups.campaign_key
            and coalesce({{ events }}.recipient_email, '') = touched_groups.recipient_key
    {%- else -%}
    select * from {{ events }}
    {%- endif -%}
{%- endmacro %}


{#- Pre-hook: delete the rows of the touched groups before they are recomputed, so a send that no longer is one
    (re-sent as another type, campaign or recipient) leaves. Nothing to do on a full build. -#}
{% macro email_send_events_forget_touched_groups() -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where (coalesce(campaign_id, ''), coalesce(recipient_email, '')) in (
        {{ email_send_events_touched_groups() }}
    )
    {%- endif -%}
{%- endmacro %}
