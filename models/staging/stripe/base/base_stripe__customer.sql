{{ parse_raw_source(
    'stripe',
    'customer',
    columns={
        'id': 'id',
        'email': 'email',
        'name': 'text',
        'currency': 'currency',
        'created': 'timestamp',
        'salesforce_account_id': 'id',
        'is_deleted': 'boolean',
    },
    no_future=['created'],
    currency_column='currency'
) }}
