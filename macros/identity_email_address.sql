{#- The bare address of an email field as systems export it, trimmed and lower-cased: a display name
    (`John Smith <john@acme.com>`, `"Smith, John" <john@acme.com>`), angle brackets, a `mailto:` scheme (with
    its `?subject=...` query) and quotes or spaces around the address are dropped, so each of those is
    john@acme.com. The name goes up to the last '<', the rest from the '>' after it; a quote inside an address
    (pat.o'hara@) stays. Anchored regexp_replace calls (one match each) read the same on DuckDB, PostgreSQL and
    Spark, and match across line breaks on all three ([^<] rather than .); they run only on a value holding one of
    < > " ' : or ending in a dot (few do). The full stop of a sentence the address ended (jane@acme.com.) is
    dropped too: a domain has no trailing dot in an address. -#}
{% macro identity_email_address(expr) -%}
    {%- set text = "lower(trim(" ~ expr ~ "))" -%}
    case
        when
            {{ text }} like '%<%' or {{ text }} like '%>%' or {{ text }} like '%"%'
            or {{ text }} like '%''%' or {{ text }} like '%:%' or {{ text }} like '%.'
            then regexp_replace(trim({{ identity_email_without_mailto(
                "regexp_replace(regexp_replace(regexp_replace(regexp_replace(" ~ text ~ ", '^([^<]*<)+', ''), "
                ~ "'>[^<]*$', ''), '^[ \"'']+', ''), '[ \"'']+$', '')") }}), '[.]+$', '')
        else {{ text }}
    end
{%- endmacro %}


{#- `expr` without a leading `mailto:` scheme and, after one, without its query (`?subject=Hi&cc=...`): a `?`
    inside a plain address (allowed, if rare) stays. -#}
{% macro identity_email_without_mailto(expr) -%}
    case
        when {{ expr }} like 'mailto:%'
            then regexp_replace(regexp_replace({{ expr }}, '^mailto:', ''), '[?][^<]*$', '')
        else {{ expr }}
    end
{%- endmacro %}
