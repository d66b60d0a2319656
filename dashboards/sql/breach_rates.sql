-- Breach rates of the breaches page over a month range, one rule, one agent and one
-- jurisdiction ('all' for every one), at three grains told apart by `grain`:
--   total: the KPI row (the chosen rule, agent and jurisdiction);
--   rule: a row per rule (the chosen agent and jurisdiction);
--   agent: a row per agent and team (the chosen rule and jurisdiction).
-- Each sums the breaches, unverifiable contacts and outbound contacts the marts publish, and
-- breaches_per_1000_contacts is Σ breaches ÷ Σ outbound contacts × 1,000, null below the
-- minimum number of outbound contacts for a rate (dashboards.queries.MIN_CONTACTS_FOR_RATE:
-- a rate on a handful of contacts swings with one breach). A rule's rows are marts.fct_compliance_summary's (the contacts that rule governs:
-- a US rule is not diluted by contacts on French cases); every rule's are
-- marts.fct_compliance_agent_months' (each contact once).
-- Parameters: first month, last month (first days), rule, agent, jurisdiction, minimum
-- contacts for a rate.
with chosen as (
    select
        cast(? as date) as first_month,
        cast(? as date) as last_month,
        cast(? as varchar) as rule_id,
        cast(? as varchar) as agent_id,
        cast(? as varchar) as jurisdiction,
        cast(? as bigint) as min_contacts
),

rule_rows as (
    select rule_summary.*
    from marts.fct_compliance_summary as rule_summary
    cross join chosen
    where
        rule_summary.month between chosen.first_month and chosen.last_month
        and (chosen.jurisdiction = 'all' or rule_summary.jurisdiction = chosen.jurisdiction)
),

chosen_rule_rows as (
    select
        rule_rows.agent_id,
        rule_rows.team,
        rule_rows.breaches,
        rule_rows.unverifiable_contacts,
        rule_rows.outbound_contacts
    from rule_rows
    cross join chosen
    where rule_rows.rule_id = chosen.rule_id
    union all
    select
        cells.agent_id,
        cells.team,
        cells.breaches,
        cells.unverifiable_contacts,
        cells.outbound_contacts
    from marts.fct_compliance_agent_months as cells
    cross join chosen
    where
        chosen.rule_id = 'all'
        and cells.month between chosen.first_month and chosen.last_month
        and (chosen.jurisdiction = 'all' or cells.jurisdiction = chosen.jurisdiction)
),

summed as (
    select
        'total' as grain,
        cast(null as varchar) as rule_id,
        cast(null as varchar) as agent_id,
        cast(null as varchar) as team,
        coalesce(sum(chosen_rule_rows.breaches), 0) as breaches,
        coalesce(sum(chosen_rule_rows.unverifiable_contacts), 0) as unverifiable_contacts,
        coalesce(sum(chosen_rule_rows.outbound_contacts), 0) as outbound_contacts
    from chosen_rule_rows
    cross join chosen
    where chosen.agent_id = 'all' or chosen_rule_rows.agent_id = chosen.agent_id
    union all
    select
        'rule' as grain,
        rule_rows.rule_id,
        cast(null as varchar) as agent_id,
        cast(null as varchar) as team,
        sum(rule_rows.breaches) as breaches,
        sum(rule_rows.unverifiable_contacts) as unverifiable_contacts,
        sum(rule_rows.outbound_contacts) as outbound_contacts
    from rule_rows
    cross join chosen
    where chosen.agent_id = 'all' or rule_rows.agent_id = chosen.agent_id
    group by rule_rows.rule_id
    union all
    select
        'agent' as grain,
        cast(null as varchar) as rule_id,
        agent_id,
        team,
        sum(breaches) as breaches,
        sum(unverifiable_contacts) as unverifiable_contacts,
        sum(outbound_contacts) as outbound_contacts
    from chosen_rule_rows
    group by agent_id, team
),

final as (
    select
        summed.grain,
        summed.rule_id,
        summed.agent_id,
        summed.team,
        cast(summed.breaches as bigint) as breaches,
        cast(summed.unverifiable_contacts as bigint) as unverifiable_contacts,
        cast(summed.outbound_contacts as bigint) as outbound_contacts,
        case
            when summed.outbound_contacts >= greatest(chosen.min_contacts, 1)
                then cast(summed.breaches as double) * 1000 / summed.outbound_contacts
        end as breaches_per_1000_contacts
    from summed
    cross join chosen
)

select * from final
order by grain asc, breaches desc, rule_id asc, agent_id asc
