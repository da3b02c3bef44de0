{{ parse_raw_source(
    'stripe',
    'charge',
    columns={
        'id': 'id',
        'customer_id': 'id',
        'invoice_id': 'id',
        'amount': 'minor',
        'currency': 'currency',
        'status': 'text',
        'amount_refunded': 'minor',
        'created': 'timestamp',
    },
    not_negative=['amount', 'amount_refunded'],
    no_future=['created'],
    currency_column='currency'
) }}
