{#- A line's currency is always its invoice's (Stripe): a line whose own is unknown or missing takes its
    invoice's (currency_fallback), flagged in _currency_from_fallback, instead of being quarantined. Its amount
    may be negative (a proration credit for unused time), its quantity never. -#}
{#- Spark keeps tables as Parquet, which has no delete+insert: there this model is a plain table rebuilt in full. -#}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    unique_key=['_source_file', '_source_row'],
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

{{ parse_raw_source(
    'stripe',
    'invoice_line_item',
    columns={
        'id': 'id',
        'invoice_id': 'id',
        'subscription_id': 'id',
        'price_id': 'id',
        'description': 'text',
        'quantity': 'integer',
        'amount': 'minor',
        'discount_amount': 'minor',
        'currency': 'currency',
        'period_start': 'timestamp',
        'period_end': 'timestamp',
        'proration': 'boolean',
    },
    not_negative=['quantity'],
    currency_column='currency',
    currency_fallback='base_stripe__invoice',
    currency_fallback_key='invoice_id',
    incremental=true
) }}
