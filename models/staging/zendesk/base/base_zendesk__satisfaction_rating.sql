{{ parse_raw_source(
    'zendesk',
    'satisfaction_rating',
    columns={
        'id': 'id',
        'ticket_id': 'id',
        'score': 'text',
        'created_at': 'timestamp',
    },
    no_future=['created_at']
) }}
