{#- Who to offer an upsell and when: every paying company, scored 0-100 from its signals
    (int_playbooks__customer_signals), each scaled to 0..1 and weighted by var playbook_upsell_weights:
    seat utilisation (capped at 1), usage growth (-50 %..+50 % -> 0..1), CSAT and NPS / 10 (0.5 when unknown),
    months since the last expansion (12+ -> 1), and an annual renewal (of a yearly-billed subscription) inside var
    playbook_renewal_window_days: a monthly subscription's period end, always within weeks, is no renewal to time
    an offer by (it made every monthly customer "ahead of renewal" and none "now").
    An open urgent ticket, a pending cancellation, no live subscription (churned: every subscription ended,
    though the ledger's last month still carries its MRR) or a high churn risk (risk_band 'high' in
    playbook_churn_risk: a retention play comes first) makes a company ineligible (ranked after every eligible
    one); reasons names each.
    Timing: ineligible -> hold; renewal in the window -> ahead of renewal (30 days before, not before tomorrow);
    seat utilisation from var playbook_upsell_hot_seat_utilisation -> now; else at the next quarterly review. -#}
{%- set w = var('playbook_upsell_weights') -%}
{%- set renewal_contact = dbt.dateadd('day', '-30', 'next_annual_renewal_date') -%}
{%- set tomorrow = dbt.dateadd('day', '1', 'as_of_date') -%}
with signals as (

    select * from {{ ref('int_playbooks__customer_signals') }}

),

churn_risk as (

    select * from {{ ref('playbook_churn_risk') }}

),

signals_with_risk as (

    select
        signals.*,
        churn_risk.churn_risk_score,
        coalesce(churn_risk.risk_band = 'high', false) as is_high_churn_risk
    from signals
    left join churn_risk
        on signals.company_id = churn_risk.company_id

),

scaled as (

    select
        *,
        case when seat_utilisation > 1 then 1.0 else coalesce(seat_utilisation, 0) end as seat_component,
        case
            when usage_growth is null then 0.5
            when usage_growth > 0.5 then 1.0
            when usage_growth < -0.5 then 0.0
            else usage_growth + 0.5
        end as usage_component,
        coalesce(csat_score, 0.5) as csat_component,
        coalesce(nps_average / 10.0, 0.5) as nps_component,
        case
            when months_since_last_expansion >= 12 then 1.0
            else months_since_last_expansion / 12.0
        end as expansion_component,
        case
            when
                next_annual_renewal_date is not null
                and next_annual_renewal_date
                <= {{ dbt.dateadd('day', var('playbook_renewal_window_days'), 'as_of_date') }}
                then 1.0
            else 0.0
        end as renewal_component,
        open_urgent_tickets = 0 and not has_pending_cancellation and has_live_subscription
        and not is_high_churn_risk as is_eligible
    from signals_with_risk

),

scored as (

    select
        *,
        {{ w['seat_utilisation'] }} * seat_component
        + {{ w['usage_growth'] }} * usage_component
        + {{ w['csat'] }} * csat_component
        + {{ w['nps'] }} * nps_component
        + {{ w['months_since_expansion'] }} * expansion_component
        + {{ w['renewal'] }} * renewal_component as upsell_score
    from scaled

),

ranked as (

    select
        *,
        row_number() over (
            order by case when is_eligible then 0 else 1 end asc, upsell_score desc, company_id asc
        ) as upsell_rank
    from scored

),

timed as (

    select
        *,
        case
            when not is_eligible then 'hold'
            when renewal_component = 1 then 'ahead_of_renewal'
            when seat_utilisation >= {{ var('playbook_upsell_hot_seat_utilisation') }} then 'now'
            else 'next_quarterly_review'
        end as suggested_timing
    from ranked

),

final as (

    select
        cast(company_id as {{ dbt.type_string() }}) as company_id,
        cast(company_name as {{ dbt.type_string() }}) as company_name,
        cast(segment as {{ dbt.type_string() }}) as segment,
        cast(upsell_rank as integer) as upsell_rank,
        cast(upsell_score as decimal(8, 2)) as upsell_score,
        is_eligible,
        cast(suggested_timing as {{ dbt.type_string() }}) as suggested_timing,
        cast(
            case
                when suggested_timing = 'hold' then null
                when suggested_timing = 'ahead_of_renewal'
                    then case
                        when {{ renewal_contact }} > {{ tomorrow }} then {{ renewal_contact }}
                        else {{ tomorrow }}
                    end
                when suggested_timing = 'now' then {{ dbt.dateadd('day', '1', 'as_of_date') }}
                else {{ dbt.dateadd('month', '3', dbt.date_trunc('quarter', 'as_of_date')) }}
            end as date
        ) as suggested_contact_date,
        cast(current_mrr as decimal(18, 2)) as current_mrr,
        cast(seat_utilisation as decimal(10, 4)) as seat_utilisation,
        cast(usage_growth as decimal(12, 4)) as usage_growth,
        cast(csat_score as decimal(10, 4)) as csat_score,
        cast(csat_ratings as integer) as csat_ratings,
        cast(nps_average as decimal(10, 2)) as nps_average,
        cast(nps_responses as integer) as nps_responses,
        cast(open_urgent_tickets as integer) as open_urgent_tickets,
        has_pending_cancellation,
        cast(months_since_last_expansion as integer) as months_since_last_expansion,
        cast(next_annual_renewal_date as date) as next_renewal_date,
        cast(
            'seat use ' || cast(cast(floor(seat_component * 100 + 0.5) as integer) as {{ dbt.type_string() }}) || '%'
            || '; usage '
            || case
                when usage_growth is null then 'no previous window'
                else
                    case when usage_growth >= 0 then '+' else '' end
                    || cast(cast(floor(usage_growth * 100 + 0.5) as integer) as {{ dbt.type_string() }}) || '%'
            end
            || '; CSAT '
            || case
                when csat_score is null then 'n/a'
                else cast(cast(floor(csat_score * 100 + 0.5) as integer) as {{ dbt.type_string() }}) || '%'
            end
            || '; NPS '
            || case
                when nps_average is null then 'n/a'
                else cast(cast(nps_average as decimal(4, 1)) as {{ dbt.type_string() }}) || '/10'
            end
            || case
                when open_urgent_tickets > 0
                    then '; ' || cast(open_urgent_tickets as {{ dbt.type_string() }}) || ' open urgent ticket(s)'
                else '; no open urgent tickets'
            end
            || case when has_pending_cancellation then '; cancellation pending' else '' end
            || case when has_live_subscription then '' else '; no live subscription' end
            || case
                when is_high_churn_risk
                    then '; high churn risk (score ' || cast(churn_risk_score as {{ dbt.type_string() }}) || ')'
                else ''
            end
            || '; ' || cast(months_since_last_expansion as {{ dbt.type_string() }}) || ' months since last expansion'
            || case
                when next_annual_renewal_date is null then ''
                else '; renews ' || cast(next_annual_renewal_date as {{ dbt.type_string() }})
            end
            as {{ dbt.type_string() }}
        ) as reasons,
        cast(as_of_date as date) as as_of_date
    from timed

)

select * from final
