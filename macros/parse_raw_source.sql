{#-
    Type one raw table (landed as text by the loader) and say why any row cannot be used.

    Returns every raw row once, with:
      - the contract columns typed (same names; `minor` amounts converted to major units by currency exponent),
      - `_source_file`, `_source_row`, `_loaded_at` (lineage),
      - `_raw_record`: the row as text, for quarantined rows (NULL on good rows),
      - `_quarantine_code` / `_quarantine_reason`: NULL for a good row, else the first problem found,
      - `_version_rank`: 1 for the version of a key that wins (latest `_loaded_at`, then the highest `_source_row`:
        the loader numbers a table's rows across its files in load order, part files in natural name order, so
        part-10 comes after part-9 and a file landed later after those before it),
        2+ for re-sent or duplicate rows it supersedes; NULL for quarantined rows.

    Arguments:
      system, table_name  the source
      columns             ordered mapping column -> raw type (ids are trimmed but keep their case:
                          Salesforce's 15-character ids are case-sensitive; ids and emails also lose the tabs
                          and line breaks at their ends, macro trim_breaks) (id, text, email, timestamp, date, integer,
                          decimal, minor, boolean, currency); see orchestration/revops/contract.py
                          Numbers parse as decimal(18, 6) (12 integer digits: DuckDB casts text to an
                          18-digit decimal some 80x faster than to a 38-digit one); a larger value is
                          quarantined as non-numeric rather than silently rounded.
      primary_key         key columns (a row without them is quarantined)
      not_negative        numeric columns where a negative value is a data error
      scale               decimal columns parsed with more places than 6: column -> places (an FX rate of a currency
                          worth a fraction of a cent, IDR 0.00006373 to the dollar, loses a per cent at 6 places);
                          the precision stays 18 digits, so the integer part gets fewer
      positive            numeric columns where 0 or less is a data error (an FX rate of 0 would zero every
                          amount it converts: non_positive_value)
      no_future           timestamp/date columns that cannot lie after the row's export (its _loaded_at, else
                          the build's clock; macro future_limit)
      currency_column     the row's currency, needed for `minor` columns and checked against the seed
      currency_fallback   for a row whose currency is redundant with its parent's (a Stripe invoice line's is
                          always its invoice's): the parent's parse model (its key `id`, its currency column
                          named like this one's); currency_fallback_key: this table's column holding the parent
                          id. When the row's own currency is unknown or missing, the parent's
                          (its current, unquarantined version, with a known currency) is used instead, and the
                          row is staged, not quarantined; `_currency_from_fallback` says so and
                          `_currency_as_landed` keeps the row's own value (NULL when the row's own is used).
                          Without a known parent currency the row is quarantined as before.
      incremental         for append-mostly tables built as incremental models (unique key _source_file,
                          _source_row): parse only rows landed since the last build (`_source_row` above the
                          model's maximum; the loader numbers appended rows on), and re-rank the earlier
                          versions of the keys that arrived, so `_version_rank` stays right. A full reload of
                          the raw table drops the model (the loader does it), so it is rebuilt in full.

    Enumerated text columns (macro raw_enum_values) take the contract's spelling whatever their case (`Paid` is
    `paid`); an export's placeholder for no value (`null`, `N/A`, `#N/A`, `none`, `NaN`, `undefined`, any case)
    is no value: in an id a missing key (quarantined as missing_primary_key) or a NULL foreign key, in a
    timestamp, date or boolean NULL (`canceled_at = NULL` is a subscription never canceled, not an unparseable
    one). A number stays quarantined as non_numeric_value: an amount of `N/A` is an amount the export lost.

    Always checked: a timestamp/date before var min_plausible_date (implausible_timestamp), an integer or
    minor-unit value with a fraction (non_integer_value, never rounded), an id, email or text value over var
    max_field_chars (field_too_long), a minor-unit amount without a currency (missing_currency), a `_loaded_at`
    that does not parse (unparseable_timestamp).
-#}
{% macro parse_raw_source(system, table_name, columns, primary_key=['id'], not_negative=[], positive=[], no_future=[],
    currency_column=none, incremental=false, currency_fallback=none, currency_fallback_key=none, scale={}) -%}
{%- set max_chars = var('max_field_chars', 10000) -%}
{%- set enums = raw_enum_values().get(system ~ '.' ~ table_name, {}) -%}
{%- set id_placeholders = "'null', 'n/a', '#n/a', 'none', 'nan', 'undefined'" -%}
{%- set numeric_types = ['integer', 'decimal', 'minor'] -%}
{%- set min_plausible = "cast('" ~ var('min_plausible_date') ~ "' as date)" -%}
{%- set minor_columns = [] -%}
{%- set exponent = 'currencies.minor_unit_exponent' if not currency_fallback
    else 'coalesce(currencies.minor_unit_exponent, fallback_currencies.fallback_minor_unit_exponent)' -%}
{%- for column, kind in columns.items() if kind == 'minor' %}{% do minor_columns.append(column) %}{% endfor -%}

with landed as (

    select * from {{ source(system, table_name) }}
    {%- if incremental and is_incremental() %}
    {#- The model's last row as a number, not a subquery: on a raw table read in place (a view over Parquet
        part files) DuckDB then skips the files landed before without reading them. #}
    {%- set last_row = run_query('select coalesce(max(_source_row), 0) from ' ~ this).columns[0].values()[0]
        if execute else 0 %}
    where _source_row > {{ last_row }}
    {%- endif %}

),

{%- if currency_column %}

currencies as (

    select
        currency_code,
        minor_unit_exponent
    from {{ ref('currencies') }}

),
{%- endif %}
{%- if currency_column and currency_fallback %}

fallback_currencies as (

    {#- The parent's currency, for rows whose own is unknown or missing (the parent's current version). #}
    select
        parent.id as fallback_key,
        currencies.currency_code as fallback_currency_code,
        currencies.minor_unit_exponent as fallback_minor_unit_exponent
    from {{ ref(currency_fallback) }} as parent
    inner join currencies
        on parent.{{ adapter.quote(currency_column) }} = currencies.currency_code
    where parent._quarantine_code is null and parent._version_rank = 1

),
{%- endif %}

typed as (

    select
        landed._source_file,
        landed._source_row,
        {%- set loaded_at_raw = "nullif(" ~ trim_spaces('landed._loaded_at') ~ ", '')" %}
        {{ loaded_at_raw }} as _loaded_at__raw,
        {{ safe_timestamp_utc(loaded_at_raw) }} as _loaded_at,
        {%- for column, kind in columns.items() %}
        {%- set landed_column = 'landed.' ~ adapter.quote(column) %}
        {%- set trimmed = trim_breaks(landed_column) if kind in ['id', 'email'] else trim_spaces(landed_column) %}
        {%- if kind == 'id' %}
        {#- an export's stand-in for no value is no key: quarantined as missing (or, in a foreign key, NULL) #}
        {%- set raw = "case when lower(" ~ trimmed ~ ") in (" ~ id_placeholders ~ ") then null else nullif("
            ~ trimmed ~ ", '') end" %}
        {%- else %}
        {%- set raw = "nullif(" ~ trimmed ~ ", '')" %}
        {%- endif %}
        {{ raw }} as {{ column }}__raw,
        {%- if kind == 'email' %}
        lower({{ raw }}) as {{ column }}__typed,
        {%- elif kind == 'currency' and currency_fallback and column == currency_column %}
        coalesce(currencies.currency_code, fallback_currencies.fallback_currency_code, upper({{ raw }}))
            as {{ column }}__typed,
        {%- elif kind == 'currency' %}
        upper({{ raw }}) as {{ column }}__typed,
        {%- elif column in enums %}
        case lower({{ raw }})
            {%- for value in enums[column] %}
            when '{{ value | lower }}' then '{{ value }}'
            {%- endfor %}
            else {{ raw }}
        end as {{ column }}__typed,
        {%- elif kind == 'timestamp' %}
        {{ safe_timestamp_utc(raw) }} as {{ column }}__typed,
        {%- elif kind == 'date' %}
        {{ safe_date(raw) }} as {{ column }}__typed,
        {%- elif kind == 'integer' %}
        cast({{ safe_numeric(raw, 18, 6) }} as bigint) as {{ column }}__typed,
        {{ safe_numeric(raw, 18, 6) }} as {{ column }}__number,
        {%- elif kind == 'decimal' %}
        {{ safe_numeric(raw, 18, scale.get(column, 6)) }} as {{ column }}__typed,
        {{ safe_numeric(raw, 18, scale.get(column, 6)) }} as {{ column }}__number,
        {%- elif kind == 'minor' %}
        cast(
            {{ safe_numeric(raw, 18, 6) }} / power(10, {{ exponent }}) as decimal(38, 6)
        ) as {{ column }}__typed,
        {{ safe_numeric(raw, 18, 6) }} as {{ column }}__number,
        {%- elif kind == 'boolean' %}
        {{ safe_boolean(raw) }} as {{ column }}__typed,
        {%- else %}
        {{ raw }} as {{ column }}__typed,
        {%- endif %}
        {%- endfor %}
        {%- if currency_column and currency_fallback %}
        coalesce(currencies.currency_code, fallback_currencies.fallback_currency_code) as _known_currency,
        currencies.currency_code is null and fallback_currencies.fallback_currency_code is not null
            as _currency_from_fallback,
        case when currencies.currency_code is null and fallback_currencies.fallback_currency_code is not null
            then nullif(trim(landed.{{ adapter.quote(currency_column) }}), '') end as _currency_as_landed,
        {%- elif currency_column %}
        currencies.currency_code as _known_currency,
        {%- endif %}
        {%- for column in columns %}
        landed.{{ adapter.quote(column) }} as {{ adapter.quote(column ~ '__landed') }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from landed
    {%- if currency_column %}
    left join currencies
        on upper(trim(landed.{{ adapter.quote(currency_column) }})) = currencies.currency_code
    {%- if currency_fallback %}
    left join fallback_currencies
        on {{ trim_spaces(trim_breaks('landed.' ~ adapter.quote(currency_fallback_key))) }}
            = fallback_currencies.fallback_key
    {%- endif %}
    {%- endif %}

),

checked as (

    select
        typed.*,
        case
            {%- for key in primary_key %}
            when {{ key }}__raw is null then 'missing_primary_key'
            {%- endfor %}
            {%- if currency_column %}
            when {{ currency_column }}__raw is not null and _known_currency is null then 'unknown_currency'
            {%- if minor_columns %}
            when {{ currency_column }}__raw is null and _known_currency is null
                and ({{ minor_columns | join('__raw is not null or ') }}__raw is not null)
                then 'missing_currency'
            {%- endif %}
            {%- endif %}
            when _loaded_at__raw is not null and _loaded_at is null then 'unparseable_timestamp'
            {%- for column, kind in columns.items() %}
            {#- a placeholder is no value, except in a key (fx_rate's date: NULL there would be a key missing) #}
            {%- set not_placeholder = "" if column in primary_key
                else " and lower(" ~ column ~ "__raw) not in (" ~ id_placeholders ~ ")" %}
            {%- if kind in ['timestamp', 'date'] %}
            when {{ column }}__raw is not null and {{ column }}__typed is null{{ not_placeholder }} then 'unparseable_timestamp'
            when {{ column }}__typed < {{ min_plausible }} then 'implausible_timestamp'
            {%- elif kind in numeric_types %}
            when {{ column }}__raw is not null and {{ column }}__number is null then 'non_numeric_value'
            {%- if kind in ['integer', 'minor'] %}
            when {{ column }}__number <> floor({{ column }}__number) then 'non_integer_value'
            {%- endif %}
            {%- elif kind == 'boolean' %}
            when {{ column }}__raw is not null and {{ column }}__typed is null{{ not_placeholder }} then 'invalid_boolean'
            {%- elif kind in ['text', 'id', 'email'] %}
            when {{ dbt.length(column ~ '__raw') }} > {{ max_chars }} then 'field_too_long'
            {%- endif %}
            {%- endfor %}
            {%- for column in not_negative %}
            when {{ column }}__number < 0 then 'negative_amount'
            {%- endfor %}
            {%- for column in positive %}
            when {{ column }}__number <= 0 then 'non_positive_value'
            {%- endfor %}
            {%- for column in no_future %}
            when {{ column }}__typed > {{ future_limit('_loaded_at') }} then 'future_timestamp'
            {%- endfor %}
        end as _quarantine_code,
        case
            {%- for key in primary_key %}
            {%- if columns[key] == 'id' %}
            when {{ key }}__raw is null and {{ trim_spaces(trim_breaks(adapter.quote(key ~ '__landed'))) }} <> ''
                then {{ dbt.concat(["'missing primary key " ~ key ~ " (a placeholder for no value: '", quoted_value(key ~ '__landed'), "')'"]) }}
            {%- endif %}
            when {{ key }}__raw is null then 'missing primary key {{ key }}'
            {%- endfor %}
            {%- if currency_column %}
            when {{ currency_column }}__raw is not null and _known_currency is null
                then {{ dbt.concat(["'unknown currency in " ~ currency_column ~ ": '", quoted_value(currency_column ~ '__raw')]) }}
            {%- if minor_columns %}
            when {{ currency_column }}__raw is null and _known_currency is null
                and ({{ minor_columns | join('__raw is not null or ') }}__raw is not null)
                then 'amount in minor units ({{ minor_columns | join(", ") }}) without a currency in {{ currency_column }}'
            {%- endif %}
            {%- endif %}
            when _loaded_at__raw is not null and _loaded_at is null
                then {{ dbt.concat(["'unparseable timestamp in _loaded_at: '", quoted_value('_loaded_at__raw')]) }}
            {%- for column, kind in columns.items() %}
            {#- a placeholder is no value, except in a key (fx_rate's date: NULL there would be a key missing) #}
            {%- set not_placeholder = "" if column in primary_key
                else " and lower(" ~ column ~ "__raw) not in (" ~ id_placeholders ~ ")" %}
            {%- if kind in ['timestamp', 'date'] %}
            when {{ column }}__raw is not null and {{ column }}__typed is null{{ not_placeholder }}
                then {{ dbt.concat(["'unparseable " ~ kind ~ " in " ~ column ~ ": '", quoted_value(column ~ '__raw')]) }}
            when {{ column }}__typed < {{ min_plausible }}
                then {{ dbt.concat(["'" ~ kind ~ " before " ~ var('min_plausible_date') ~ " (var min_plausible_date) in " ~ column ~ ": '", quoted_value(column ~ '__raw')]) }}
            {%- elif kind in numeric_types %}
            when {{ column }}__raw is not null and {{ column }}__number is null
                then {{ dbt.concat(["'non-numeric or out-of-range value in " ~ column ~ ": '", quoted_value(column ~ '__raw')]) }}
            {%- if kind in ['integer', 'minor'] %}
            when {{ column }}__number <> floor({{ column }}__number)
                then {{ dbt.concat(["'not a whole number in " ~ column ~ ": '", quoted_value(column ~ '__raw')]) }}
            {%- endif %}
            {%- elif kind == 'boolean' %}
            when {{ column }}__raw is not null and {{ column }}__typed is null{{ not_placeholder }}
                then {{ dbt.concat(["'not a boolean in " ~ column ~ ": '", quoted_value(column ~ '__raw')]) }}
            {%- elif kind in ['text', 'id', 'email'] %}
            when {{ dbt.length(column ~ '__raw') }} > {{ max_chars }}
                then {{ dbt.concat(["'field too long in " ~ column ~ ": '", dbt.cast(dbt.length(column ~ '__raw'), dbt.type_string()), "' characters (limit " ~ max_chars ~ ")'"]) }}
            {%- endif %}
            {%- endfor %}
            {%- for column in not_negative %}
            when {{ column }}__number < 0
                then {{ dbt.concat(["'negative amount in " ~ column ~ ": '", quoted_value(column ~ '__raw')]) }}
            {%- endfor %}
            {%- for column in positive %}
            when {{ column }}__number <= 0
                then {{ dbt.concat(["'zero or negative value in " ~ column ~ " (must be above 0): '", quoted_value(column ~ '__raw')]) }}
            {%- endfor %}
            {%- for column in no_future %}
            when {{ column }}__typed > {{ future_limit('_loaded_at') }}
                then {{ dbt.concat(["'timestamp later than its export (_loaded_at, else now) in " ~ column ~ ": '", quoted_value(column ~ '__raw')]) }}
            {%- endfor %}
        end as _quarantine_reason
    from typed

),

parsed as (

    select
        {%- for column in columns %}
        {{ column }}__typed as {{ adapter.quote(column) }},
        {%- endfor %}
        _source_file,
        _source_row,
        _loaded_at,
        {%- if currency_column and currency_fallback %}
        _currency_from_fallback,
        _currency_as_landed,
        {%- endif %}
        -- the raw row as text, for quarantined rows only (it is what the quarantine shows): built here, inside
        -- the case, so the text is not put together for the millions of good rows
        case when _quarantine_code is not null then {{ dbt.concat(raw_record_parts(columns, '__landed')) }} end
            as _raw_record,
        _quarantine_code,
        _quarantine_reason
    from checked

),

{%- if incremental and is_incremental() %}

arrived_keys as (

    {#- The keys that just arrived (a plain join on these, not a correlated EXISTS, which DuckDB ran as a
        grouping of the whole table: seconds at 10 M rows). #}
    select distinct
        {%- for key in primary_key %}
        {{ adapter.quote(key) }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from parsed
    where _quarantine_code is null

),
{%- endif %}

candidates as (

    select * from parsed
    {%- if incremental and is_incremental() %}

    union all

    {#- Earlier versions of the keys that just arrived: re-ranked together with the new rows. #}
    select
        {%- for column in columns %}
        previous.{{ adapter.quote(column) }},
        {%- endfor %}
        previous._source_file,
        previous._source_row,
        previous._loaded_at,
        {%- if currency_column and currency_fallback %}
        previous._currency_from_fallback,
        previous._currency_as_landed,
        {%- endif %}
        previous._raw_record,
        previous._quarantine_code,
        previous._quarantine_reason
    from {{ this }} as previous
    inner join arrived_keys
        on
            {%- for key in primary_key %}
            {% if not loop.first %}and {% endif %}previous.{{ adapter.quote(key) }} = arrived_keys.{{ adapter.quote(key) }}
            {%- endfor %}
    where previous._quarantine_code is null
    {%- endif %}

),

{{ parse_version_rank(primary_key) }}

select * from final
{%- endmacro %}


{#- The CTE(s) ending in `final`: every row of `candidates` with its `_version_rank` (1 for the winning version
    of a key, 2+ for the ones it supersedes, NULL for quarantined rows).
    Default (PostgreSQL, Spark): one window over every row; partitioning by the quarantine code keeps the
    quarantined rows (which get no rank) out of the good rows' numbering. -#}
{% macro parse_version_rank(primary_key) -%}
    {{ return(adapter.dispatch('parse_version_rank', 'revops')(primary_key)) }}
{%- endmacro %}

{% macro default__parse_version_rank(primary_key) -%}
final as (

    select
        candidates.*,
        case
            when _quarantine_code is null then row_number() over (
                partition by
                    _quarantine_code,
                    {% for key in primary_key %}{{ adapter.quote(key) }}{% if not loop.last %}, {% endif %}{% endfor %}
                order by _loaded_at desc nulls last, _source_row desc
            )
        end as _version_rank
    from candidates

)
{%- endmacro %}

{#- DuckDB: only the keys with more than one current row go through the window; a key's only row is version 1
    without it (at 11 M rows the window over every row was a third of the parse model's time). The keys with
    several rows are found by a hash of the key: the grouping then holds 8 bytes a key instead of the key's text
    (at scale 100 the e-mail events' grouping took 343 MB instead of 518 MB, and the two large parse models,
    which a build runs side by side within DuckDB's memory limit, took 48-50 s together instead of 49-55 s). Two
    keys sharing a hash only send their rows through the window, which numbers each key's versions by the key
    itself: the result is the same. This split is not the default: with it the Spark parity build's parse models
    went from seconds to minutes each (Spark inlines the three reads of `candidates`); PostgreSQL keeps the form
    its parity test was first proven on. -#}
{% macro duckdb__parse_version_rank(primary_key) -%}
{%- set key_hash -%}
hash({% for key in primary_key %}candidates.{{ adapter.quote(key) }}{% if not loop.last %}, {% endif %}{% endfor %})
{%- endset -%}
multi_version_keys as (

    {#- The hashes of the keys with more than one current (not quarantined) row: only those rows need the window
        below. #}
    select {{ key_hash }} as _key_hash
    from candidates
    where _quarantine_code is null
    group by 1
    having count(*) > 1

),

final as (

    {#- A key's only row is version 1 without a window; the window numbers the versions of the few keys that
        have several (at 11 M rows, one window over every row was a third of the model's time). Quarantined
        rows get no rank. #}
    select
        candidates.*,
        case when candidates._quarantine_code is null then cast(1 as {{ dbt.type_bigint() }}) end as _version_rank
    from candidates
    left join multi_version_keys
        on {{ key_hash }} = multi_version_keys._key_hash
    where
        candidates._quarantine_code is not null
        or multi_version_keys._key_hash is null

    union all

    select
        candidates.*,
        row_number() over (
            partition by
                {% for key in primary_key %}candidates.{{ adapter.quote(key) }}{% if not loop.last %}, {% endif %}{% endfor %}
            order by
                candidates._loaded_at desc nulls last,
                candidates._source_row desc
        ) as _version_rank
    from candidates
    inner join multi_version_keys
        on {{ key_hash }} = multi_version_keys._key_hash
    where candidates._quarantine_code is null

)
{%- endmacro %}
