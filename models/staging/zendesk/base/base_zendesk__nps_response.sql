{{ parse_raw_source(
    'zendesk',
    'nps_response',
    columns={
        'id': 'id',
        'email': 'email',
        'score': 'integer',
        'submitted_at': 'timestamp',
    },
    not_negative=['score'],
    no_future=['submitted_at']
) }}
