{{ parse_raw_source(
    'finance',
    'fx_rate',
    columns={
        'date': 'date',
        'currency': 'currency',
        'rate_to_usd': 'decimal',
    },
    primary_key=['date', 'currency'],
    positive=['rate_to_usd'],
    no_future=['date'],
    currency_column='currency'
) }}
