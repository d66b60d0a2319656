-- The collection cases of one debtor, newest first (drill from an open invoice to its debtor's
-- cases: the marts link invoices to cases by debtor only).
-- Parameters: debtor_id.
select
    case_id,
    debtor_id,
    debtor_name,
    segment,
    jurisdiction,
    strategy,
    opened_at,
    is_open,
    current_stage,
    owner_agent_id,
    placed_amount,
    currency
from marts.dim_cases
where debtor_id = ?
order by opened_at desc, case_id asc
