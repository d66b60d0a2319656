-- Breaches (marts.fct_compliance_breaches) of a month range ('YYYY-MM' of occurred_at in UTC,
-- both included), one rule ('all' for every rule), one agent ('all') and one jurisdiction
-- ('all'), newest first.
-- Parameters: first month, last month, rule, rule, agent, agent, jurisdiction, jurisdiction.
select
    case_id,
    rule_id,
    occurred_at,
    agent_id,
    debtor_id,
    jurisdiction,
    rule_pack,
    segment,
    is_unverifiable,
    parameters,
    legal_reference,
    evidence_ids,
    breach_id
from marts.fct_compliance_breaches
where
    strftime(occurred_at, '%Y-%m') between ? and ?
    and (? = 'all' or rule_id = ?)
    and (? = 'all' or coalesce(agent_id, 'unassigned') = ?)
    and (? = 'all' or coalesce(jurisdiction, 'unknown') = ?)
order by occurred_at desc, rule_id asc, breach_id asc
