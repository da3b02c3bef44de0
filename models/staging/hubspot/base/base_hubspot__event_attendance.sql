{{ parse_raw_source(
    'hubspot',
    'event_attendance',
    columns={
        'id': 'id',
        'campaign_id': 'id',
        'email': 'email',
        'registered_at': 'timestamp',
        'attended': 'boolean',
        'minutes_attended': 'integer',
    },
    not_negative=['minutes_attended'],
    no_future=['registered_at']
) }}
