{#- Breaches per month (of occurred_at, UTC), rule, agent and team, against the agent's
    outbound contacts that month: breach rate per 1,000 outbound contacts (null when the agent
    made none). Rows: every (month, agent) with outbound contacts or breaches x every rule of
    the packs, so a zero is a real zero. Unverifiable contacts (`<id>-UNKNOWN-TZ`) are counted
    apart, under their base rule. -#}
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

rules as (

    {%- for rule in packs.rules %}
    select '{{ rule.id }}' as rule_id
    {{ 'union all' if not loop.last }}
    {%- else %}
    select cast(null as {{ dbt.type_string() }}) as rule_id where 1 = 0
    {%- endfor %}

),

contacts as (

    select
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as month,
        coalesce(agent_id, 'unassigned') as agent_id,
        cast(count(*) as {{ dbt.type_bigint() }}) as outbound_contacts
    from timeline
    where item_type = 'contact' and direction = 'outbound'
    group by 1, 2

),

counted as (

    select
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as month,
        replace(rule_id, '-UNKNOWN-TZ', '') as rule_id,
        coalesce(agent_id, 'unassigned') as agent_id,
        cast(sum(case when is_unverifiable then 0 else 1 end) as {{ dbt.type_bigint() }}) as breaches,
        cast(sum(case when is_unverifiable then 1 else 0 end) as {{ dbt.type_bigint() }})
            as unverifiable_contacts
    from breaches
    group by 1, 2, 3

),

spine as (

    select month, agent_id from contacts
    union
    select month, agent_id from counted

),

final as (

    select
        spine.month,
        rules.rule_id,
        spine.agent_id,
        agents.team,
        coalesce(counted.breaches, 0) as breaches,
        coalesce(counted.unverifiable_contacts, 0) as unverifiable_contacts,
        coalesce(contacts.outbound_contacts, 0) as outbound_contacts,
        case
            when coalesce(contacts.outbound_contacts, 0) > 0
                then
                    cast(coalesce(counted.breaches, 0) as double precision) * 1000
                    / contacts.outbound_contacts
        end as breaches_per_1000_contacts
    from spine
    cross join rules
    left join counted
        on
            spine.month = counted.month
            and spine.agent_id = counted.agent_id
            and rules.rule_id = counted.rule_id
    left join contacts on spine.month = contacts.month and spine.agent_id = contacts.agent_id
    left join agents on spine.agent_id = agents.agent_id

)

select * from final
