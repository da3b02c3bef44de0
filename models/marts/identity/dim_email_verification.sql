{#- Offline verification of every normalised email of a person record (one row per email). The first rule
    that applies wins: invalid syntax, a placeholder domain (unknown@unknown.com: seed
    identity_placeholder_domains, invalid), a recorded hard bounce, a disposable domain, a misspelt free-mail
    domain, a role address; else valid. Same order as revops.identity.email_verification.verify. -#}
with

syntax as (select * from {{ identity_ref('int_identity__email_syntax') }}),

email_events as (select * from {{ ref('stg_hubspot__email_event') }}),

disposable as (select domain from {{ ref('identity_disposable_domains') }}),

placeholder_domains as (select domain from {{ ref('identity_placeholder_domains') }}),

typo_domains as (
    select
        domain,
        intended_domain
    from {{ ref('identity_free_mail_typo_domains') }}
),

role_locals as (select local_part from {{ ref('identity_role_local_parts') }}),

bounces as (

    select
        {{ identity_normalise_email('recipient_email') }} as email_normalised,
        count(*) as bounce_events
    from email_events
    where upper(event_type) = 'BOUNCE'
    group by {{ identity_normalise_email('recipient_email') }}

),

parts as (

    select
        s.email_normalised,
        s.is_syntax_valid,
        s.syntax_reason,
        b.bounce_events,
        -- a role mailbox with a +tag (info+eu@) is still the role's
        split_part(split_part(s.email_normalised, '@', 1), '+', 1) as local_part,
        split_part(s.email_normalised, '@', 2) as email_domain
    from syntax as s
    left join bounces as b on s.email_normalised = b.email_normalised

),

final as (

    select
        cast(p.email_normalised as {{ dbt.type_string() }}) as email,
        cast(case
            when not p.is_syntax_valid then 'invalid'
            when pd.domain is not null then 'invalid'
            when p.bounce_events > 0 then 'bounced'
            when d.domain is not null or t.domain is not null or r.local_part is not null then 'risky'
            else 'valid'
        end as {{ dbt.type_string() }}) as status,
        cast(case
            when not p.is_syntax_valid then p.syntax_reason
            when pd.domain is not null
                then {{ dbt.concat(["'placeholder domain '", "p.email_domain", "' (no address known)'"]) }}
            when p.bounce_events > 0 then 'hard bounce recorded'
            when d.domain is not null then {{ dbt.concat(["'disposable domain '", "p.email_domain"]) }}
            when t.domain is not null then {{ dbt.concat(["'domain looks like a typo of '", "t.intended_domain"]) }}
            when r.local_part is not null then {{ dbt.concat(["'role address ('", "p.local_part", "'@)'"]) }}
            else 'syntax ok, no bounce, not disposable, typo or role'
        end as {{ dbt.type_string() }}) as reason
    from parts as p
    left join placeholder_domains as pd on p.email_domain = pd.domain
    left join disposable as d on p.email_domain = d.domain
    left join typo_domains as t on p.email_domain = t.domain
    left join role_locals as r on p.local_part = r.local_part

)

select * from final
