{{ parse_raw_source(
    'stripe',
    'product',
    columns={
        'id': 'id',
        'name': 'text',
        'is_add_on': 'boolean',
    }
) }}
