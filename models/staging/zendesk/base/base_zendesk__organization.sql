{{ parse_raw_source(
    'zendesk',
    'organization',
    columns={
        'id': 'id',
        'name': 'text',
        'domain_names': 'text',
        'created_at': 'timestamp',
    },
    no_future=['created_at']
) }}
