{#- The matching form of an email address: trimmed and lower-cased; for Gmail (gmail.com, googlemail.com),
    whose mailboxes ignore dots and +tags in the local part, those are removed too. NULL when it has no '@'. -#}
{% macro identity_normalise_email(expr) -%}
    case
        when lower(trim({{ expr }})) not like '%_@_%' then null
        when split_part(lower(trim({{ expr }})), '@', 2) in ('gmail.com', 'googlemail.com')
            then replace(regexp_replace(split_part(lower(trim({{ expr }})), '@', 1), '[+].*$', ''), '.', '')
                || '@gmail.com'
        else lower(trim({{ expr }}))
    end
{%- endmacro %}
