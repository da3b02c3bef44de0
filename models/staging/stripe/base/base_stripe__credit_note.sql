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
    currency_column='currency'
) }}
