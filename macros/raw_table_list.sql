{#- Every raw table of the contract as [system, table]: the loops of raw_quarantine and raw_row_accounting.
    Keep in step with orchestration/revops/contract.py (tests/python/test_contract.py checks it). -#}
{% macro raw_table_list() -%}
    {{ return([
        ['salesforce', 'account'], ['salesforce', 'contact'], ['salesforce', 'lead'],
        ['salesforce', 'opportunity'], ['salesforce', 'opportunity_history'],
        ['salesforce', 'opportunity_line_item'], ['salesforce', 'quote'], ['salesforce', 'user'],
        ['hubspot', 'contact'], ['hubspot', 'campaign'], ['hubspot', 'email_event'],
        ['hubspot', 'form_submission'], ['hubspot', 'event_attendance'],
        ['ads', 'ad_spend_daily'],
        ['finance', 'expense'], ['finance', 'fx_rate'],
        ['stripe', 'customer'], ['stripe', 'product'], ['stripe', 'price'], ['stripe', 'subscription'],
        ['stripe', 'subscription_item'], ['stripe', 'invoice'], ['stripe', 'invoice_line_item'],
        ['stripe', 'charge'], ['stripe', 'credit_note'],
        ['zendesk', 'organization'], ['zendesk', 'user'], ['zendesk', 'ticket'],
        ['zendesk', 'satisfaction_rating'], ['zendesk', 'nps_response'],
        ['product', 'usage_daily'],
    ]) }}
{%- endmacro %}
