{#- A credit note's currency is always its invoice's (Stripe): a credit note whose own is unknown or missing takes its
    invoice's (currency_fallback), flagged in _currency_from_fallback, instead of being quarantined (as invoice
    lines do: base_stripe__invoice_line_item). -#}
{{ parse_raw_source(
    'stripe',
    'credit_note',
    columns={
        'id': 'id',
        'invoice_id': 'id',
        'amount': 'minor',
        'currency': 'currency',
        'reason': 'text',
        'created': 'timestamp',
    },
    not_negative=['amount'],
    no_future=['created'],
    currency_column='currency',
    currency_fallback='base_stripe__invoice',
    currency_fallback_key='invoice_id'
) }}
