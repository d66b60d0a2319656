-- The pending promises of the next 30 days (marts.fct_cash_expected), each weighted by its
-- case's probability of score promise_kept in the latest scoring run of scores.case_scores:
-- the score-weighted figure beside the measured kept-rate weighting. A promise whose case that
-- run did not score (opened since) has a null probability and scored amount.
-- Parameters: score, score, segment, segment, agent, agent ('all': any).
with last_run as (
    select arg_max(run_id, scored_at) as run_id
    from scores.case_scores
    where score = ?
),

latest as (
    select
        case_scores.case_id,
        case_scores.probability,
        case_scores.model_version,
        case_scores.as_of
    from scores.case_scores as case_scores
    inner join last_run on case_scores.run_id = last_run.run_id
    where case_scores.score = ?
)

select
    expected.promise_id,
    expected.case_id,
    expected.agent_id,
    expected.segment,
    expected.is_due_within_7_days,
    expected.remaining_amount_rc,
    latest.probability as kept_probability,
    expected.remaining_amount_rc * latest.probability as scored_amount_rc,
    latest.model_version,
    latest.as_of as scores_as_of,
    expected.reporting_currency
from marts.fct_cash_expected as expected
left join latest on expected.case_id = latest.case_id
where (? = 'all' or expected.segment = ?) and (? = 'all' or expected.agent_id = ?)
order by expected.promised_date, expected.promise_id
