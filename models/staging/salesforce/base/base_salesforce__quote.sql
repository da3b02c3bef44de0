{{ parse_raw_source(
    'salesforce',
    'quote',
    columns={
        'id': 'id',
        'opportunity_id': 'id',
        'status': 'text',
        'total': 'decimal',
        'sent_at': 'timestamp',
        'signed_at': 'timestamp',
    },
    not_negative=['total'],
    no_future=['sent_at', 'signed_at']
) }}
