-- The pending promises of the next 30 days (marts.fct_cash_expected), each weighted by its own
-- probability of score promise_kept in one scoring run of scores.promise_scores (the latest:
-- amicable.scores.store.latest_run): the promise scored from its promise-eve row, the features
-- the model was trained on, beside the measured kept-rate weighting. A promise that run did not
-- score (made since, or without an eve: made the day its case opened) has a null probability
-- and scored amount.
-- Parameters: score, run_id, segment, segment, agent, agent ('all': any).
with latest as (
    select
        promise_scores.promise_id,
        promise_scores.probability,
        promise_scores.model_version,
        promise_scores.as_of
    from scores.promise_scores as promise_scores
    where promise_scores.score = ? and promise_scores.run_id = ?
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
left join latest on expected.promise_id = latest.promise_id
where (? = 'all' or expected.segment = ?) and (? = 'all' or expected.agent_id = ?)
order by expected.promised_date, expected.promise_id
