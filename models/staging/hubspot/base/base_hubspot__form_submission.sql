{{ parse_raw_source(
    'hubspot',
    'form_submission',
    columns={
        'id': 'id',
        'form_name': 'text',
        'email': 'email',
        'campaign_id': 'id',
        'page_url': 'text',
        'submitted_at': 'timestamp',
    },
    no_future=['submitted_at']
) }}
