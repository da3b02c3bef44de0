{{ parse_raw_source(
    'ads',
    'ad_spend_daily',
    columns={
        'date': 'date',
        'platform': 'text',
        'platform_campaign_id': 'id',
        'hubspot_campaign_id': 'id',
        'spend': 'decimal',
        'currency': 'currency',
        'impressions': 'integer',
        'clicks': 'integer',
    },
    primary_key=['date', 'platform', 'platform_campaign_id'],
    not_negative=['spend', 'impressions', 'clicks'],
    no_future=['date'],
    currency_column='currency'
) }}
