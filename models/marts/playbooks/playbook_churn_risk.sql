{#- Churn-risk list: every paying company scored 0-100 (capped) from its signals
    (int_playbooks__customer_signals), each scaled to 0..1 and weighted by var playbook_churn_weights:
    low seat utilisation (1 - utilisation; no usage = 1), usage decline (-50 % or worse = 1), poor CSAT
    (1 - CSAT), NPS detractor (mean <= 6 = 1, passive 7-8 = 0.25), open urgent / high tickets (3+ = 1), MRR
    contraction over three months (-50 % or worse = 1) and a pending cancellation. Bands from vars
    playbook_churn_high_risk_score / playbook_churn_medium_risk_score. Each row names its main signal and lists
    the signals in words. A company whose every subscription has ended (has_live_subscription false: churned,
    its last weeks still in the ledger's last month) is not listed: it is lost already, not at risk. -#}
{%- set w = var('playbook_churn_weights') -%}
with signals as (

    select * from {{ ref('int_playbooks__customer_signals') }}

),

scaled as (

    select
        *,
        case
            when seat_utilisation is null then 1.0
            when seat_utilisation >= 1 then 0.0
            else 1 - seat_utilisation
        end as seat_component,
        case
            when usage_growth is null or usage_growth >= 0 then 0.0
            when usage_growth <= -0.5 then 1.0
            else -usage_growth / 0.5
        end as usage_component,
        coalesce(1 - csat_score, 0.0) as csat_component,
        case
            when nps_average is null then 0.0
            when nps_average <= 6 then 1.0
            when nps_average < 9 then 0.25
            else 0.0
        end as nps_component,
        case
            when open_high_priority_tickets >= 3 then 1.0
            else open_high_priority_tickets / 3.0
        end as ticket_component,
        case
            when mrr_change_3_months is null or mrr_change_3_months >= 0 then 0.0
            when mrr_change_3_months <= -0.5 then 1.0
            else -mrr_change_3_months / 0.5
        end as contraction_component,
        case when has_pending_cancellation then 1.0 else 0.0 end as cancellation_component
    from signals
    where has_live_subscription

),

points as (

    select
        *,
        {{ w['low_seat_utilisation'] }} * seat_component as seat_points,
        {{ w['usage_decline'] }} * usage_component as usage_points,
        {{ w['poor_csat'] }} * csat_component as csat_points,
        {{ w['nps_detractor'] }} * nps_component as nps_points,
        {{ w['open_urgent_tickets'] }} * ticket_component as ticket_points,
        {{ w['mrr_contraction'] }} * contraction_component as contraction_points,
        {{ w['cancel_at_period_end'] }} * cancellation_component as cancellation_points
    from scaled

),

scored as (

    select
        *,
        case
            when
                seat_points + usage_points + csat_points + nps_points + ticket_points + contraction_points
                + cancellation_points > 100
                then 100
            else
                seat_points + usage_points + csat_points + nps_points + ticket_points + contraction_points
                + cancellation_points
        end as churn_risk_score
    from points

),

ranked as (

    select
        *,
        -- an unknown MRR (no FX rate) after the known ones on every engine (PostgreSQL sorts NULL first in a
        -- descending order)
        row_number() over (order by churn_risk_score desc, current_mrr desc nulls last, company_id asc) as risk_rank
    from scored

),

final as (

    select
        cast(company_id as {{ dbt.type_string() }}) as company_id,
        cast(company_name as {{ dbt.type_string() }}) as company_name,
        cast(segment as {{ dbt.type_string() }}) as segment,
        cast(risk_rank as integer) as risk_rank,
        cast(churn_risk_score as decimal(8, 2)) as churn_risk_score,
        cast(
            case
                when churn_risk_score >= {{ var('playbook_churn_high_risk_score') }} then 'high'
                when churn_risk_score >= {{ var('playbook_churn_medium_risk_score') }} then 'medium'
                else 'low'
            end as {{ dbt.type_string() }}
        ) as risk_band,
        cast(
            case
                when
                    cancellation_points >= seat_points and cancellation_points >= usage_points
                    and cancellation_points >= csat_points and cancellation_points >= nps_points
                    and cancellation_points >= ticket_points and cancellation_points >= contraction_points
                    and cancellation_points > 0
                    then 'cancel_at_period_end'
                when
                    contraction_points >= seat_points and contraction_points >= usage_points
                    and contraction_points >= csat_points and contraction_points >= nps_points
                    and contraction_points >= ticket_points and contraction_points > 0
                    then 'mrr_contraction'
                when
                    usage_points >= seat_points and usage_points >= csat_points and usage_points >= nps_points
                    and usage_points >= ticket_points and usage_points > 0
                    then 'usage_decline'
                when
                    nps_points >= seat_points and nps_points >= csat_points and nps_points >= ticket_points
                    and nps_points > 0
                    then 'nps_detractor'
                when ticket_points >= seat_points and ticket_points >= csat_points and ticket_points > 0
                    then 'open_urgent_tickets'
                when csat_points >= seat_points and csat_points > 0 then 'poor_csat'
                when seat_points > 0 then 'low_seat_utilisation'
                else 'none'
            end as {{ dbt.type_string() }}
        ) as main_signal,
        cast(current_mrr as decimal(18, 2)) as current_mrr,
        cast(seat_points as decimal(8, 2)) as low_seat_utilisation_points,
        cast(usage_points as decimal(8, 2)) as usage_decline_points,
        cast(csat_points as decimal(8, 2)) as poor_csat_points,
        cast(nps_points as decimal(8, 2)) as nps_detractor_points,
        cast(ticket_points as decimal(8, 2)) as open_tickets_points,
        cast(contraction_points as decimal(8, 2)) as mrr_contraction_points,
        cast(cancellation_points as decimal(8, 2)) as cancellation_points,
        cast(seat_utilisation as decimal(10, 4)) as seat_utilisation,
        cast(usage_growth as decimal(12, 4)) as usage_growth,
        cast(csat_score as decimal(10, 4)) as csat_score,
        cast(nps_average as decimal(10, 2)) as nps_average,
        cast(open_high_priority_tickets as integer) as open_high_priority_tickets,
        cast(mrr_change_3_months as decimal(12, 4)) as mrr_change_3_months,
        has_pending_cancellation,
        cast(next_renewal_date as date) as next_renewal_date,
        cast(
            'seat use '
            || case
                when seat_utilisation is null then 'unknown (no usage)'
                else cast(cast(floor(seat_utilisation * 100 + 0.5) as integer) as {{ dbt.type_string() }}) || '%'
            end
            || case
                when usage_component > 0
                    then
                        '; usage ' || cast(cast(floor(usage_growth * 100 + 0.5) as integer) as {{ dbt.type_string() }})
                        || '%'
                else ''
            end
            || case
                when csat_component > 0
                    then
                        '; CSAT ' || cast(cast(floor(csat_score * 100 + 0.5) as integer) as {{ dbt.type_string() }})
                        || '% of ' || cast(csat_ratings as {{ dbt.type_string() }}) || ' rating(s)'
                else ''
            end
            || case
                when nps_component > 0
                    then '; NPS ' || cast(cast(nps_average as decimal(4, 1)) as {{ dbt.type_string() }}) || '/10'
                else ''
            end
            || case
                when ticket_component > 0
                    then
                        '; ' || cast(open_high_priority_tickets as {{ dbt.type_string() }})
                        || ' open urgent/high ticket(s)'
                else ''
            end
            || case
                when contraction_component > 0
                    then
                        '; MRR '
                        || cast(cast(floor(mrr_change_3_months * 100 + 0.5) as integer) as {{ dbt.type_string() }})
                        || '% in 3 months'
                else ''
            end
            || case when has_pending_cancellation then '; cancellation pending' else '' end
            || case
                when next_renewal_date is null then ''
                else '; renews ' || cast(next_renewal_date as {{ dbt.type_string() }})
            end
            as {{ dbt.type_string() }}
        ) as signals,
        cast(as_of_date as date) as as_of_date
    from ranked

)

select * from final
