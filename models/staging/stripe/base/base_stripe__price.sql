{{ parse_raw_source(
    'stripe',
    'price',
    columns={
        'id': 'id',
        'product_id': 'id',
        'unit_amount': 'minor',
        'currency': 'currency',
        'recurring_interval': 'text',
        'recurring_interval_count': 'integer',
    },
    not_negative=['unit_amount'],
    currency_column='currency'
) }}
