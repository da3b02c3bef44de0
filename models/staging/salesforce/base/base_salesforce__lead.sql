{{ parse_raw_source(
    'salesforce',
    'lead',
    columns={
        'id': 'id',
        'first_name': 'text',
        'last_name': 'text',
        'email': 'email',
        'phone': 'text',
        'company': 'text',
        'status': 'text',
        'lead_source': 'text',
        'is_converted': 'boolean',
        'converted_contact_id': 'id',
        'converted_account_id': 'id',
        'converted_opportunity_id': 'id',
        'converted_date': 'date',
        'created_date': 'timestamp',
        'is_deleted': 'boolean',
    },
    no_future=['created_date']
) }}
