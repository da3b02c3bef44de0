{#- Spark keeps tables as Parquet, which has no delete+insert: there this model is a plain table rebuilt in full. -#}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    unique_key=['_source_file', '_source_row'],
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

{{ parse_raw_source(
    'product',
    'usage_daily',
    columns={
        'date': 'date',
        'stripe_customer_id': 'id',
        'active_users': 'integer',
        'seats_purchased': 'integer',
        'key_events': 'integer',
    },
    primary_key=['date', 'stripe_customer_id'],
    not_negative=['active_users', 'seats_purchased', 'key_events'],
    no_future=['date'],
    incremental=true
) }}
