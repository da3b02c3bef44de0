{#- The host of a website or a bare domain, lower-cased, without scheme, 'www.', port or path. -#}
{% macro identity_domain_from_url(expr) -%}
    nullif(
        split_part(split_part(
            regexp_replace(regexp_replace(lower(trim({{ expr }})), '^[a-z]+://', ''), '^www[.]', ''),
            '/', 1), ':', 1),
        ''
    )
{%- endmacro %}
