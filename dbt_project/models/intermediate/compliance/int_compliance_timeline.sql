{#- One row per contact (call or message, either direction) and per case event up to as_of,
    with its case's compliance context: the auditor's case timeline and the input of every
    compliance rule (macros/compliance_*.sql). agent_id: the contact's agent, else the event's
    actor unless `system`, else the case's owner at that moment (int_ops_case_owners). -#}
with

cases as (

    select * from {{ ref('int_compliance_cases') }}

),

calls as (

    select * from {{ ref('stg_contacts__calls') }}

),

messages as (

    select * from {{ ref('stg_contacts__messages') }}

),

events as (

    select * from {{ ref('stg_cases__case_events') }}

),

owners as (

    select * from {{ ref('int_ops_case_owners') }}

),

items as (

    select
        contact_id as item_id,
        case_id,
        'contact' as item_type,
        started_at as occurred_at,
        'call' as channel,
        direction,
        outcome,
        cast(null as {{ dbt.type_string() }}) as template_id,
        cast(null as {{ dbt.type_string() }}) as event_type,
        cast(null as {{ dbt.type_string() }}) as payload,
        agent_id
    from calls

    union all

    select
        contact_id as item_id,
        case_id,
        'contact' as item_type,
        sent_at as occurred_at,
        channel,
        direction,
        outcome,
        template_id,
        cast(null as {{ dbt.type_string() }}) as event_type,
        cast(null as {{ dbt.type_string() }}) as payload,
        agent_id
    from messages

    union all

    select
        event_id as item_id,
        case_id,
        'event' as item_type,
        occurred_at,
        cast(null as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as direction,
        cast(null as {{ dbt.type_string() }}) as outcome,
        cast(null as {{ dbt.type_string() }}) as template_id,
        event_type,
        cast(payload as {{ dbt.type_string() }}) as payload,
        case when actor_id = 'system' then null else actor_id end as agent_id
    from events

),

final as (

    select
        items.item_id,
        items.case_id,
        cases.debtor_id,
        cases.jurisdiction,
        cases.rule_pack,
        cases.segment,
        cases.time_zone,
        cases.has_known_time_zone,
        items.item_type,
        items.occurred_at,
        items.channel,
        items.direction,
        items.outcome,
        items.template_id,
        items.event_type,
        items.payload,
        coalesce(items.agent_id, owners.agent_id, cases.agent_id) as agent_id
    from items
    inner join cases on items.case_id = cases.case_id
    left join owners
        on
            items.case_id = owners.case_id
            and items.occurred_at >= owners.owned_from
            and (owners.owned_to is null or items.occurred_at < owners.owned_to)
    where cast(items.occurred_at as date) <= {{ as_of_date() }}

)

select * from final
