{{ parse_raw_source(
    'hubspot',
    'email_event',
    columns={
        'id': 'id',
        'campaign_id': 'id',
        'recipient': 'email',
        'type': 'text',
        'created_at': 'timestamp',
    },
    no_future=['created_at']
) }}
