{{ config(enabled=not identity_use_python()) }}
{#- Syntax check of every distinct normalised email by regular expression (engines without Python models);
    the same columns as the Python model int_identity__email_syntax. -#}
with

emails as (

    select distinct email_normalised
    from {{ ref('int_identity__person_records') }}
    where email_normalised is not null

),

final as (

    select
        email_normalised,
        coalesce({{ identity_email_syntax_ok('email_normalised') }}, false) as is_syntax_valid,
        case
            when {{ identity_email_syntax_ok('email_normalised') }} then 'syntax ok'
            else 'syntax: does not match local@domain.tld'
        end as syntax_reason
    from emails

)

select * from final
