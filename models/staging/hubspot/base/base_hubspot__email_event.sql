{#- Spark keeps tables as Parquet, which has no delete+insert: there this model is a plain table rebuilt in full. -#}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    unique_key=['_source_file', '_source_row'],
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

{{ parse_raw_source(
    'hubspot',
    'email_event',
    columns={
        'id': 'id',
        'campaign_id': 'id',
        'recipient': 'email',
        'type': 'text',
        'created_at': 'timestamp',
    },
    no_future=['created_at'],
    incremental=true
) }}
