{{ parse_raw_source(
    'salesforce',
    'contact',
    columns={
        'id': 'id',
        'account_id': 'id',
        'first_name': 'text',
        'last_name': 'text',
        'email': 'email',
        'phone': 'text',
        'title': 'text',
        'lead_source': 'text',
        'created_date': 'timestamp',
        'last_modified_date': 'timestamp',
        'is_deleted': 'boolean',
    },
    no_future=['created_date', 'last_modified_date']
) }}
