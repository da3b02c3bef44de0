{{ parse_raw_source(
    'salesforce',
    'account',
    columns={
        'id': 'id',
        'name': 'text',
        'website': 'text',
        'industry': 'text',
        'number_of_employees': 'integer',
        'billing_country': 'text',
        'owner_id': 'id',
        'created_date': 'timestamp',
        'is_deleted': 'boolean',
    },
    not_negative=['number_of_employees'],
    no_future=['created_date']
) }}
