{#- One row per case as it stands at as_of, with its debtor's contact details: the case
    dimension the dashboards use to scope an agent to their own cases (agent_id is the current
    owner) and to name the debtor. debtor_name, debtor_email and debtor_phone are personal
    data: the dashboards mask them for roles that need none. -#}
with

cases as (

    select * from {{ ref('int_ops_case_status') }}

),

customers as (

    select * from {{ ref('stg_erp__customers') }}

),

final as (

    select
        cases.case_id,
        cases.debtor_id,
        customers.debtor_name,
        customers.email as debtor_email,
        customers.phone as debtor_phone,
        cases.segment,
        cases.strategy,
        cases.jurisdiction,
        cases.opened_at,
        cases.placed_amount,
        cases.currency,
        cases.is_open,
        cases.closed_at,
        cases.close_reason,
        cases.current_stage,
        cases.owner_agent_id as agent_id,
        cases.owner_team as team
    from cases
    left join customers
        on cases.debtor_id = customers.debtor_id

)

select * from final
