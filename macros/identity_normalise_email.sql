{#- The matching form of an email address: the bare address (identity_email_address: trimmed, lower-cased,
    without a display name, angle brackets, mailto: or quotes); for Gmail (gmail.com, googlemail.com), whose
    mailboxes ignore dots and +tags in the local part, those are removed too. NULL when it has no '@'. -#}
{% macro identity_normalise_email(expr) -%}
    {%- set address = identity_email_address(expr) -%}
    case
        when {{ address }} not like '%_@_%' then null
        when split_part({{ address }}, '@', 2) in ('gmail.com', 'googlemail.com')
            then replace(regexp_replace(split_part({{ address }}, '@', 1), '[+].*$', ''), '.', '')
                || '@gmail.com'
        else {{ address }}
    end
{%- endmacro %}
