{{ parse_raw_source(
    'zendesk',
    'ticket',
    columns={
        'id': 'id',
        'requester_id': 'id',
        'organization_id': 'id',
        'subject': 'text',
        'type': 'text',
        'priority': 'text',
        'status': 'text',
        'channel': 'text',
        'created_at': 'timestamp',
        'solved_at': 'timestamp',
        'updated_at': 'timestamp',
    },
    no_future=['created_at']
) }}
