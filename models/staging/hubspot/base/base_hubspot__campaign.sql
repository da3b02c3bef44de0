{{ parse_raw_source(
    'hubspot',
    'campaign',
    columns={
        'id': 'id',
        'name': 'text',
        'type': 'text',
        'start_date': 'date',
        'end_date': 'date',
        'budget': 'decimal',
        'currency': 'currency',
    },
    not_negative=['budget'],
    currency_column='currency'
) }}
