{#- The matching key of a company name: lower case, accents folded ("Société" -> "societe"), dots dropped
    ("G.m.b.H." -> "gmbh"), '&' read as 'and', other punctuation and whitespace collapsed, trailing legal
    suffixes stripped (Inc, Corp, Corporation, LLC, Ltd, Limited, GmbH, AG, SA, SAS, BV, NV, plc, S.L., K.K.,
    Co., Company, Pty ... repeatedly: "Co., Ltd."), then the spaces removed. NULL when nothing is left. The same
    expression on every engine. -#}
{% macro identity_company_name_key(expr) -%}
    {%- set legal = "inc|incorporated|corp|corporation|llc|llp|lp|ltd|limited|gmbh|ag|sa|sas|sarl|srl|spa|bv|nv|plc|sl|kk|co|company|pty|oy|ab|as" -%}
    {%- set collapsed = "trim(" ~ regexp_replace_all(
        "replace(replace(" ~ identity_fold_accents(expr) ~ ", '.', ''), '&', ' and ')", "'[^a-z0-9]+'", "' '") ~ ")" -%}
    nullif(
        replace(
            {{ regexp_replace_all(collapsed, "'( (" ~ legal ~ "))+$'", "''") }},
            ' ', ''
        ),
        ''
    )
{%- endmacro %}
