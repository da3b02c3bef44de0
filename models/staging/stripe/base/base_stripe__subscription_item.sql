{{ parse_raw_source(
    'stripe',
    'subscription_item',
    columns={
        'id': 'id',
        'subscription_id': 'id',
        'price_id': 'id',
        'quantity': 'integer',
        'created': 'timestamp',
        'deleted_at': 'timestamp',
    },
    not_negative=['quantity']
) }}
