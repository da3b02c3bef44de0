{#- The contract's spelling of the enumerated raw columns the models branch on (`invoice_status in ('open',
    'paid')`, `opportunity_type = 'New Business'`, `event_type = 'SENT'`): system.table -> column -> values.
    parse_raw_source gives a value landed in another case (`Paid`, `new business`, `open`) the spelling here,
    so a re-typed or re-exported value is not read as another value downstream. A value not listed is staged
    as landed, and the column's warn-level accepted_values test in staging names it. Salesforce stage names are
    the standard sales process's; an org's own stages pass through unchanged. -#}
{% macro raw_enum_values() -%}
{{ return({
    'salesforce.opportunity': {
        'type': ['New Business', 'Upsell', 'Renewal'],
        'stage_name': ['Prospecting', 'Qualification', 'Needs Analysis', 'Value Proposition', 'Id. Decision Makers',
                       'Perception Analysis', 'Proposal/Price Quote', 'Negotiation/Review', 'Closed Won',
                       'Closed Lost'],
        'forecast_category': ['Pipeline', 'Best Case', 'Commit', 'Closed', 'Omitted'],
    },
    'salesforce.opportunity_history': {
        'stage_name': ['Prospecting', 'Qualification', 'Needs Analysis', 'Value Proposition', 'Id. Decision Makers',
                       'Perception Analysis', 'Proposal/Price Quote', 'Negotiation/Review', 'Closed Won',
                       'Closed Lost'],
        'forecast_category': ['Pipeline', 'Best Case', 'Commit', 'Closed', 'Omitted'],
    },
    'salesforce.quote': {'status': ['Draft', 'Sent', 'Signed', 'Rejected']},
    'hubspot.email_event': {
        'type': ['SENT', 'DELIVERED', 'OPEN', 'CLICK', 'BOUNCE', 'UNSUBSCRIBED'],
    },
    'stripe.invoice': {'status': ['draft', 'open', 'paid', 'void', 'uncollectible']},
    'stripe.subscription': {
        'status': ['trialing', 'active', 'past_due', 'unpaid', 'canceled', 'incomplete', 'incomplete_expired',
                   'paused'],
    },
    'stripe.charge': {'status': ['succeeded', 'failed', 'pending']},
    'stripe.price': {'recurring_interval': ['day', 'week', 'month', 'year']},
    'zendesk.ticket': {
        'priority': ['low', 'normal', 'high', 'urgent'],
        'status': ['new', 'open', 'pending', 'hold', 'solved', 'closed'],
    },
    'zendesk.satisfaction_rating': {'score': ['good', 'bad', 'offered', 'unoffered']},
}) }}
{%- endmacro %}
