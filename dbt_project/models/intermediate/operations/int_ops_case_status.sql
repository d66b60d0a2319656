{#- Each case as it stands at as_of: open or closed, its current stage and since when (the state
    of its current stay in int_ops_case_stays: `reopened` for a reopened case no stage_changed
    event has moved on yet), its owner (latest assignment), its last contact and its last
    (re)opening. -#}
with

cases as (

    select * from {{ ref('stg_cases__cases') }}

),

customers as (

    select * from {{ ref('stg_erp__customers') }}

),

agents as (

    select * from {{ ref('stg_cases__agents') }}

),

stays as (

    select * from {{ ref('int_ops_case_stays') }}

),

owners as (

    select * from {{ ref('int_ops_case_owners') }}

),

contacts as (

    select * from {{ ref('int_ops_case_contacts') }}

),

reopenings as (

    select
        case_id,
        max(occurred_at) as last_reopened_at
    from {{ ref('stg_cases__case_events') }}
    where
        event_type = 'reopened'
        and cast(occurred_at as date) <= {{ as_of_date() }}
    group by case_id

),

current_stays as (

    select * from stays
    where is_current

),

current_owners as (

    select * from owners
    where is_current_owner

),

last_contacts as (

    select
        case_id,
        max(contact_at) as last_contact_at
    from contacts
    group by case_id

),

final as (

    select
        cases.case_id,
        cases.debtor_id,
        customers.segment,
        cases.strategy,
        cases.jurisdiction,
        cases.opened_at,
        cases.placed_amount,
        cases.currency,
        case
            when current_stays.state = 'closed' then false else true
        end as is_open,
        case when current_stays.state = 'closed' then current_stays.entered_at end as closed_at,
        case when current_stays.state = 'closed' then current_stays.close_reason end
            as close_reason,
        case when current_stays.state <> 'closed' then current_stays.state end as current_stage,
        case when current_stays.state <> 'closed' then current_stays.entered_at end
            as current_stage_entered_at,
        coalesce(current_owners.agent_id, cases.agent_id) as owner_agent_id,
        agents.team as owner_team,
        last_contacts.last_contact_at,
        case
            when reopenings.last_reopened_at > cases.opened_at then reopenings.last_reopened_at
            else cases.opened_at
        end as last_opened_at
    from cases
    left join customers
        on cases.debtor_id = customers.debtor_id
    left join current_stays
        on cases.case_id = current_stays.case_id
    left join current_owners
        on cases.case_id = current_owners.case_id
    left join agents
        on coalesce(current_owners.agent_id, cases.agent_id) = agents.agent_id
    left join last_contacts
        on cases.case_id = last_contacts.case_id
    left join reopenings
        on cases.case_id = reopenings.case_id
    where cast(cases.opened_at as date) <= {{ as_of_date() }}

)

select * from final
