{#- fct_compliance_summary counts outbound contacts per month, jurisdiction and agent, and
    repeats that count on each rule's row of the cell: fct_compliance_agent_months reads it
    once per cell. Returns the cells whose rule rows disagree. -#}
with

summary as (

    select * from {{ ref('fct_compliance_summary') }}

),

final as (

    select
        month,
        jurisdiction,
        agent_id
    from summary
    group by month, jurisdiction, agent_id
    having min(outbound_contacts) <> max(outbound_contacts)

)

select * from final
