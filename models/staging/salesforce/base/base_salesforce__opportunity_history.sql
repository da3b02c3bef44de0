{#- Spark keeps tables as Parquet, which has no delete+insert: there this model is a plain table rebuilt in full. -#}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    unique_key=['_source_file', '_source_row'],
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

{{ parse_raw_source(
    'salesforce',
    'opportunity_history',
    columns={
        'id': 'id',
        'opportunity_id': 'id',
        'stage_name': 'text',
        'amount': 'decimal',
        'probability': 'decimal',
        'forecast_category': 'text',
        'close_date': 'date',
        'created_date': 'timestamp',
    },
    not_negative=['amount'],
    no_future=['created_date'],
    incremental=true
) }}
