{#- One acquisition-channel vocabulary for the CRM lead source, the HubSpot original source and the ad platform:
    paid_search, paid_social, organic, referral, email, events, direct, existing_customer, other, unknown. -#}
{% macro acquisition_channel(expr) -%}
    case lower(trim({{ expr }}))
        when 'paid search' then 'paid_search'
        when 'paid_search' then 'paid_search'
        when 'google_ads' then 'paid_search'
        when 'paid social' then 'paid_social'
        when 'paid_social' then 'paid_social'
        when 'linkedin_ads' then 'paid_social'
        when 'meta_ads' then 'paid_social'
        when 'web' then 'organic'
        when 'organic_search' then 'organic'
        when 'referral' then 'referral'
        when 'referrals' then 'referral'
        when 'email' then 'email'
        when 'email_marketing' then 'email'
        when 'event' then 'events'
        when 'webinar' then 'events'
        when 'offline' then 'events'
        when 'direct_traffic' then 'direct'
        when 'existing customer' then 'existing_customer'
        else case when {{ expr }} is null then 'unknown' else 'other' end
    end
{%- endmacro %}
