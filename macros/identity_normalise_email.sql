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


{#- True when identity_normalise_email(expr) may differ from lower(trim(expr)): no '@' with text around it, or a
    Gmail address (any text containing gmail.com or googlemail.com, wherever split_part would find the domain). A filter
    on lower(trim(expr)) that keeps these rows too misses no address whose normalised form it is looking for. -#}
{% macro identity_email_may_normalise(expr) -%}
    (
        lower(trim({{ expr }})) not like '%_@_%'
        or lower(trim({{ expr }})) like '%gmail.com%'
        or lower(trim({{ expr }})) like '%googlemail.com%'
    )
{%- endmacro %}
