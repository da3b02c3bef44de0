{{ parse_raw_source(
    'finance',
    'expense',
    columns={
        'month': 'date',
        'department': 'text',
        'category': 'text',
        'amount': 'decimal',
        'currency': 'currency',
    },
    primary_key=['month', 'department', 'category'],
    currency_column='currency'
) }}
