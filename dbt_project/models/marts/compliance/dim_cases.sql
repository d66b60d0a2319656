{#- One row per case opened up to as_of: the header of the auditor's case file. Who the debtor
    is and where (segment, country, IANA time zone), the jurisdiction and the rule pack it
    selects, the case as it stands at as_of (int_ops_case_status), its ledger window
    (int_case_ledger_windows: which payments and credit notes belong to it) and its breach
    counts (fct_compliance_breaches). -#}
with

status as (

    select * from {{ ref('int_ops_case_status') }}

),

compliance as (

    select * from {{ ref('int_compliance_cases') }}

),

customers as (

    select * from {{ ref('stg_erp__customers') }}

),

agents as (

    select * from {{ ref('stg_cases__agents') }}

),

windows as (

    select * from {{ ref('int_case_ledger_windows') }}

),

breaches as (

    select * from {{ ref('fct_compliance_breaches') }}

),

breach_counts as (

    select
        case_id,
        sum(case when is_unverifiable then 0 else 1 end) as breaches,
        sum(case when is_unverifiable then 1 else 0 end) as unverifiable_contacts
    from breaches
    group by case_id

),

final as (

    select
        status.case_id,
        status.debtor_id,
        customers.debtor_name,
        status.segment,
        customers.country_code,
        compliance.time_zone,
        compliance.has_known_time_zone,
        status.jurisdiction,
        compliance.rule_pack,
        status.strategy,
        status.opened_at,
        status.placed_amount,
        status.currency,
        status.is_open,
        status.closed_at,
        status.close_reason,
        status.current_stage,
        status.owner_agent_id,
        agents.agent_name as owner_agent_name,
        status.owner_team,
        windows.window_start_date as ledger_window_start_date,
        windows.window_end_date as ledger_window_end_date,
        windows.issued_to_date as documents_issued_to_date,
        cast(coalesce(breach_counts.breaches, 0) as {{ dbt.type_bigint() }}) as breaches,
        cast(coalesce(breach_counts.unverifiable_contacts, 0) as {{ dbt.type_bigint() }})
            as unverifiable_contacts,
        {{ as_of_date() }} as as_of_date
    from status
    inner join windows on status.case_id = windows.case_id
    left join compliance on status.case_id = compliance.case_id
    left join customers on status.debtor_id = customers.debtor_id
    left join agents on status.owner_agent_id = agents.agent_id
    left join breach_counts on status.case_id = breach_counts.case_id

)

-- Stored by case: a case file reads one case, and the row groups of the others are skipped
-- by their min/max case_id instead of scanned.
select * from final
order by case_id
