{#- Breaches per month (of occurred_at, UTC), jurisdiction, rule, agent and team, against the
    agent's outbound contacts that month in that jurisdiction: breach rate per 1,000 outbound
    contacts (null when the agent made none). Rows: every (month, jurisdiction, agent) with
    outbound contacts or breaches x every rule that governs the jurisdiction (its pack's rules
    and the `jurisdictions: all` rules, less their except_jurisdictions), so a zero is a real
    zero; a breach outside that set still gets its row. Unverifiable contacts
    (`<id>-UNKNOWN-TZ`) are counted apart, under their base rule. -#}
{%- set packs = compliance_rule_packs() -%}
with

breaches as (

    select * from {{ ref('fct_compliance_breaches') }}

),

timeline as (

    select * from {{ ref('int_compliance_timeline') }}

),

agents as (

    select * from {{ ref('stg_cases__agents') }}

),

contacts as (

    select
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as month,
        coalesce(jurisdiction, 'unknown') as jurisdiction,
        coalesce(agent_id, 'unassigned') as agent_id,
        cast(count(*) as {{ dbt.type_bigint() }}) as outbound_contacts
    from timeline
    where item_type = 'contact' and direction = 'outbound'
    group by 1, 2, 3

),

counted as (

    select
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as month,
        coalesce(jurisdiction, 'unknown') as jurisdiction,
        replace(rule_id, '-UNKNOWN-TZ', '') as rule_id,
        coalesce(agent_id, 'unassigned') as agent_id,
        cast(sum(case when is_unverifiable then 0 else 1 end) as {{ dbt.type_bigint() }}) as breaches,
        cast(sum(case when is_unverifiable then 1 else 0 end) as {{ dbt.type_bigint() }})
            as unverifiable_contacts
    from breaches
    group by 1, 2, 3, 4

),

spine as (

    select
        month,
        jurisdiction,
        agent_id
    from contacts
    union
    select
        month,
        jurisdiction,
        agent_id
    from counted

),

governed as (

    {%- for rule in packs.rules %}
    select
        month,
        jurisdiction,
        '{{ rule.id }}' as rule_id,
        agent_id
    from spine
    where
        true
        {%- if rule.jurisdictions is not none %}
        and jurisdiction in {{ compliance_in_list(rule.jurisdictions) }}
        {%- endif %}
        {%- if rule.except_jurisdictions %}
        and jurisdiction not in {{ compliance_in_list(rule.except_jurisdictions) }}
    {%- endif %}
    union
    {%- endfor %}
    select
        month,
        jurisdiction,
        rule_id,
        agent_id
    from counted

),

final as (

    select
        governed.month,
        governed.jurisdiction,
        governed.rule_id,
        governed.agent_id,
        agents.team,
        coalesce(counted.breaches, 0) as breaches,
        coalesce(counted.unverifiable_contacts, 0) as unverifiable_contacts,
        coalesce(contacts.outbound_contacts, 0) as outbound_contacts,
        case
            when coalesce(contacts.outbound_contacts, 0) > 0
                then
                    cast(coalesce(counted.breaches, 0) as {{ finance_type_double() }}) * 1000
                    / contacts.outbound_contacts
        end as breaches_per_1000_contacts
    from governed
    left join counted
        on
            governed.month = counted.month
            and governed.jurisdiction = counted.jurisdiction
            and governed.agent_id = counted.agent_id
            and governed.rule_id = counted.rule_id
    left join contacts
        on
            governed.month = contacts.month
            and governed.jurisdiction = contacts.jurisdiction
            and governed.agent_id = contacts.agent_id
    left join agents on governed.agent_id = agents.agent_id

)

select * from final
