{#- Every raw row the warehouse could not use, with its reason: rows the loader could not parse as CSV,
    and rows staging could not type (bad timestamp, non-numeric amount, missing key, unknown currency...). -#}
with load_rejects as (

    select * from {{ source('raw_meta', 'load_rejects') }}

),

staging_rejects as (

    {%- for system, table_name in raw_table_list() %}

        select
            '{{ system }}' as source_system,
            '{{ table_name }}' as source_table,
            _source_file as source_file,
            _source_row as source_row,
            cast(null as bigint) as source_line,
            'staging' as quarantined_by,
            _quarantine_code as reason_code,
            _quarantine_reason as reason,
            _raw_record as raw_record
        from {{ ref('base_' ~ system ~ '__' ~ table_name) }}
        where _quarantine_code is not null
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

loader_rejects as (

    select
        source_system,
        source_table,
        source_file,
        cast(null as bigint) as source_row,
        line as source_line,
        'loader' as quarantined_by,
        'unparseable_record' as reason_code,
        reason,
        raw_record
    from load_rejects

),

unioned as (

    select * from staging_rejects
    union all
    select * from loader_rejects

),

final as (

    select
        source_system,
        source_table,
        source_file,
        source_row,
        source_line,
        quarantined_by,
        reason_code,
        reason,
        raw_record,
        {{ hash_key(['source_system', 'source_table', 'quarantined_by', 'source_file', 'source_row', 'source_line']) }}
            as quarantine_id
    from unioned

)

select * from final
