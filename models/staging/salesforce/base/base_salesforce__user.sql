{{ parse_raw_source(
    'salesforce',
    'user',
    columns={
        'id': 'id',
        'name': 'text',
        'email': 'email',
        'role': 'text',
        'is_active': 'boolean',
    }
) }}
