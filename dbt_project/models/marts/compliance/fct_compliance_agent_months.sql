{#- Breaches of every rule per month (of occurred_at, UTC), jurisdiction and agent, against the
    agent's outbound contacts that month in that jurisdiction: fct_compliance_summary over all
    its rules. A cell's outbound contacts stand on each of its rule rows (they are counted per
    cell, not per rule; assert_compliance_summary_counts_contacts_once_per_cell), so they are
    read once; breaches and unverifiable contacts add up over the rules.
    breaches_per_1000_contacts = breaches ÷ outbound contacts × 1,000, null without contacts. -#}
with

summary as (

    select * from {{ ref('fct_compliance_summary') }}

),

cells as (

    select
        month,
        jurisdiction,
        agent_id,
        team,
        max(outbound_contacts) as outbound_contacts,
        sum(breaches) as breaches,
        sum(unverifiable_contacts) as unverifiable_contacts
    from summary
    group by month, jurisdiction, agent_id, team

),

final as (

    select
        month,
        jurisdiction,
        agent_id,
        team,
        cast(breaches as {{ dbt.type_bigint() }}) as breaches,
        cast(unverifiable_contacts as {{ dbt.type_bigint() }}) as unverifiable_contacts,
        cast(outbound_contacts as {{ dbt.type_bigint() }}) as outbound_contacts,
        case
            when outbound_contacts > 0
                then cast(breaches as {{ finance_type_double() }}) * 1000 / outbound_contacts
        end as breaches_per_1000_contacts
    from cells

)

select * from final
