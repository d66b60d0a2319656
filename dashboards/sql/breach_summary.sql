-- marts.fct_compliance_summary rows of a month range ('YYYY-MM', both included).
-- Parameters: first month, last month.
select
    strftime(month, '%Y-%m') as month,
    jurisdiction,
    rule_id,
    agent_id,
    team,
    breaches,
    unverifiable_contacts,
    outbound_contacts
from marts.fct_compliance_summary
where strftime(month, '%Y-%m') between ? and ?
order by month, jurisdiction, rule_id, agent_id
