{#- The host of a website or a bare domain, lower-cased, without scheme (https://, mailto:), 'www.', path, query
    (acme.com?utm_source=...), fragment (acme.com#contact), user info or an e-mail's local part (a website field
    holding jane@acme.com, "Jane <jane@acme.com>" or https://user@acme.com), port, the angle brackets around an
    address, or the root's trailing dot (acme.com.). A website holding a free-mail address gives its free-mail
    domain, which int_identity__company_keys never keys. -#}
{% macro identity_domain_from_url(expr) -%}
    nullif(
        regexp_replace(
            regexp_replace(
                split_part(
                    regexp_replace(
                        split_part(split_part(split_part(
                            regexp_replace(lower(trim({{ expr }})), '^([a-z][a-z0-9+.-]*://|mailto:)', ''),
                            '/', 1), '?', 1), '#', 1),
                        '^.*@', ''),
                    ':', 1),
                '^[<( ]*(www[.])?', ''),
            '[.>) ]+$', ''),
        ''
    )
{%- endmacro %}
