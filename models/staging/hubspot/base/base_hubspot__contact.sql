{{ parse_raw_source(
    'hubspot',
    'contact',
    columns={
        'id': 'id',
        'email': 'email',
        'first_name': 'text',
        'last_name': 'text',
        'company': 'text',
        'phone': 'text',
        'lifecycle_stage': 'text',
        'original_source': 'text',
        'created_at': 'timestamp',
        'updated_at': 'timestamp',
        'became_mql_at': 'timestamp',
        'became_sql_at': 'timestamp',
    },
    no_future=['created_at', 'updated_at']
) }}
