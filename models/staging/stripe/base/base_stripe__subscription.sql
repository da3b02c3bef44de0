{{ parse_raw_source(
    'stripe',
    'subscription',
    columns={
        'id': 'id',
        'customer_id': 'id',
        'status': 'text',
        'created': 'timestamp',
        'start_date': 'timestamp',
        'trial_end': 'timestamp',
        'cancel_at_period_end': 'boolean',
        'canceled_at': 'timestamp',
        'ended_at': 'timestamp',
        'current_period_start': 'timestamp',
        'current_period_end': 'timestamp',
    },
    no_future=['created']
) }}
