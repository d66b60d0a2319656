-- The case stages contacts were made in (marts.fct_channel_effectiveness), in process order,
-- then `reopened`, `closed` and `none` (before any stage event).
select distinct
    stage,
    case stage
        when 'reminder' then 1
        when 'contact' then 2
        when 'negotiation' then 3
        when 'payment_plan' then 4
        when 'formal_demand' then 5
        when 'pre_litigation' then 6
        when 'reopened' then 7
        when 'closed' then 8
        else 9
    end as stage_order
from marts.fct_channel_effectiveness
order by stage_order, stage
