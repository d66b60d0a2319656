-- The work queue: the cases open at the warehouse's as-of date (marts.fct_case_score_features,
-- is_as_of) ordered by expected recovery = open amount (reporting currency) x the case's
-- probability in one scoring run of one score (scores.case_scores; the latest:
-- amicable.scores.store.latest_run), largest first; a case that run did not score (opened
-- since) comes last, without a probability.
-- Parameters: score, run_id, segment ('all' is every one), segment, agent ('all'), agent.
with latest as (
    select
        case_scores.case_id,
        case_scores.probability,
        case_scores.reason_1,
        case_scores.reason_2,
        case_scores.reason_3
    from scores.case_scores as case_scores
    where case_scores.score = ? and case_scores.run_id = ?
),

open_cases as (
    select
        features.case_id,
        features.open_amount_rc,
        features.days_past_due,
        features.segment,
        features.stage,
        features.strategy,
        cases.jurisdiction,
        cases.owner_agent_id as agent_id,
        cases.owner_team as team
    from marts.fct_case_score_features as features
    inner join marts.dim_cases as cases on features.case_id = cases.case_id
    where features.is_as_of
),

final as (
    select
        open_cases.case_id,
        open_cases.open_amount_rc * latest.probability as expected_recovery_rc,
        open_cases.open_amount_rc,
        latest.probability,
        concat_ws('; ', latest.reason_1, latest.reason_2, latest.reason_3) as reasons,
        open_cases.days_past_due,
        open_cases.agent_id,
        open_cases.team,
        open_cases.stage,
        open_cases.strategy,
        open_cases.segment,
        open_cases.jurisdiction
    from open_cases
    left join latest on open_cases.case_id = latest.case_id
    where
        (? = 'all' or open_cases.segment = ?)
        and (? = 'all' or open_cases.agent_id = ?)
)

select * from final
order by expected_recovery_rc desc nulls last, case_id asc
