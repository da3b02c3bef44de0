{#- The host of a website or a bare domain, lower-cased, without scheme, 'www.', port, path, query
    (acme.com?utm_source=...), fragment (acme.com#contact) or the root's trailing dot (acme.com.). -#}
{% macro identity_domain_from_url(expr) -%}
    nullif(
        regexp_replace(
            split_part(split_part(split_part(split_part(
                regexp_replace(regexp_replace(lower(trim({{ expr }})), '^[a-z]+://', ''), '^www[.]', ''),
                '/', 1), '?', 1), '#', 1), ':', 1),
            '[.]+$', ''),
        ''
    )
{%- endmacro %}
