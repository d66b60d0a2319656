-- League table: one row per agent over a month range (and one team), from marts.fct_agent_daily
-- (sums; rpc_rate = right-party contacts / call attempts over the range; an amount is null when
-- a day's amount is null, i.e. lacks a rate; open_caseload = on the range's last day with
-- results) and marts.fct_promise_kept_rates (dimension agent, promises falling due in the range:
-- the published counts and amounts summed, kept / decided by count and by reporting-currency
-- amount; null when undefined: nothing decided, or a promise without an FX rate).
-- Parameters: from month, to month ('YYYY-MM', both included), team, team ('all' is every team),
-- from month, to month.
with daily as (
    select *
    from marts.fct_agent_daily
    where strftime(activity_date, '%Y-%m') between ? and ?
),

last_day as (
    select max(activity_date) as activity_date from daily
),

team_daily as (
    select * from daily
    where ? = 'all' or team = ?
),

results as (
    select
        agent_id,
        arg_max(team, activity_date) as team,
        sum(call_attempts) as call_attempts,
        sum(right_party_contacts) as right_party_contacts,
        sum(promises_made) as promises_made,
        case when count(*) = count(promised_amount_rc) then sum(promised_amount_rc) end
            as promised_amount_rc,
        case when count(*) = count(collected_amount_rc) then sum(collected_amount_rc) end
            as collected_amount_rc,
        coalesce(
            sum(open_caseload) filter (
                where activity_date = (select last_day.activity_date from last_day)
            ),
            0
        ) as open_caseload
    from team_daily
    group by agent_id
),

kept as (
    select
        dimension_value as agent_id,
        sum(promises_decided) as promises_decided,
        sum(promises_kept) as promises_kept,
        sum(kept_promised_amount_rc) as kept_promised_amount_rc,
        sum(promised_amount_rc) as decided_amount_rc,
        sum(promises_without_rate) as promises_without_rate
    from marts.fct_promise_kept_rates
    where dimension = 'agent' and strftime(due_month, '%Y-%m') between ? and ?
    group by dimension_value
),

final as (
    select
        results.agent_id,
        results.team,
        cast(results.call_attempts as integer) as call_attempts,
        cast(results.right_party_contacts as integer) as right_party_contacts,
        round(results.right_party_contacts / nullif(results.call_attempts, 0), 4) as rpc_rate,
        cast(results.promises_made as integer) as promises_made,
        results.promised_amount_rc,
        results.collected_amount_rc,
        cast(coalesce(kept.promises_decided, 0) as integer) as promises_decided,
        cast(coalesce(kept.promises_kept, 0) as integer) as promises_kept,
        round(kept.promises_kept / nullif(kept.promises_decided, 0), 4) as kept_rate_by_count,
        case
            when kept.promises_without_rate = 0
                then round(kept.kept_promised_amount_rc / nullif(kept.decided_amount_rc, 0), 4)
        end as kept_rate_by_amount,
        cast(results.open_caseload as integer) as open_caseload
    from results
    left join kept
        on results.agent_id = kept.agent_id
)

select * from final
order by collected_amount_rc desc nulls last, agent_id asc
