{{ parse_raw_source(
    'zendesk',
    'user',
    columns={
        'id': 'id',
        'email': 'email',
        'name': 'text',
        'organization_id': 'id',
        'role': 'text',
    }
) }}
