-- One agent's daily results over a month range (the league table's drill-down), newest first.
-- Parameters: agent, from month, to month ('YYYY-MM', both included).
select
    activity_date,
    team,
    call_attempts,
    right_party_contacts,
    rpc_rate,
    inbound_conversations,
    promises_made,
    promised_amount_rc,
    collected_amount_rc,
    open_caseload
from marts.fct_agent_daily
where agent_id = ? and strftime(activity_date, '%Y-%m') between ? and ?
order by activity_date desc
