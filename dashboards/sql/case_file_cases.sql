-- Cases with a file (marts.dim_cases), those with breaches first. Parameters: none.
select
    case_id,
    breaches,
    unverifiable_contacts,
    jurisdiction,
    rule_pack,
    owner_agent_id as agent_id,
    is_open
from marts.dim_cases
order by breaches desc, case_id asc
