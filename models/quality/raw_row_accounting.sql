{#- For every raw table: raw rows = staged + quarantined + collapsed duplicates.
    raw rows counts what the loader landed plus the records it could not parse. -#}
with load_rejects as (

    select
        source_system,
        source_table,
        count(*) as rejected_rows
    from {{ source('raw_meta', 'load_rejects') }}
    group by source_system, source_table

),

counted as (

    {%- for system, table_name in raw_table_list() %}

        select
            '{{ system }}' as source_system,
            '{{ table_name }}' as source_table,
            (select count(*) from {{ source(system, table_name) }}) as landed_rows,
            (select count(*) from {{ ref('stg_' ~ system ~ '__' ~ table_name) }}) as staged_rows,
            (
                select count(*) from {{ ref('base_' ~ system ~ '__' ~ table_name) }}
                where _quarantine_code is not null
            ) as staging_quarantined_rows,
            (
                select count(*) from {{ ref('base_' ~ system ~ '__' ~ table_name) }}
                where _version_rank > 1
            ) as duplicate_rows
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

balanced as (

    select
        counted.source_system,
        counted.source_table,
        counted.staged_rows,
        counted.duplicate_rows,
        counted.landed_rows + coalesce(load_rejects.rejected_rows, 0) as raw_rows,
        counted.staging_quarantined_rows + coalesce(load_rejects.rejected_rows, 0) as quarantined_rows
    from counted
    left join load_rejects
        on
            counted.source_system = load_rejects.source_system
            and counted.source_table = load_rejects.source_table

),

final as (

    select
        source_system,
        source_table,
        raw_rows,
        staged_rows,
        quarantined_rows,
        duplicate_rows,
        raw_rows = staged_rows + quarantined_rows + duplicate_rows as is_balanced
    from balanced

)

select * from final
