{#- rate_to_usd with 12 places (6 integer digits: no currency is worth a million dollars): VND's 0.0000394 to the
    dollar would be 1 % off at 6. -#}
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
    scale={'rate_to_usd': 12},
    no_future=['date'],
    currency_column='currency'
) }}
