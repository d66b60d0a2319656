{#- Open cases that are stuck at as_of, one row per case and rule broken (DESIGN.md §4 "Case
    flow"); thresholds from var stuck_cases (config/amicable.yml). Days are UTC calendar days.
      stage_sla          the current stage was entered more than stage_sla_days[stage] days
                         ago: as_of - entered date > SLA. reference_date = entered date;
                         stages without an SLA never trip it, nor does a reopened case before
                         its next stage_changed event (state `reopened`, int_ops_case_stays).
      no_contact         no contact (call or message, either direction) for more than
                         no_contact_days[strategy] days (`default` for unlisted strategies),
                         counted from the latest of the last contact and the last (re)opening.
      broken_promise_no_follow_up
                         a broken promise (outcome broken) whose window ended more than
                         broken_promise_follow_up_days days ago, with no contact on the case
                         after the window end date up to as_of (fct_promises.follow_up_at is
                         null; a late follow-up clears it).
                         reference_date = the earliest such promise's window_end_date (for
                         a replaced promise, the day before the newer one was made).
    stuck_since = the first day the rule is broken = reference_date + threshold + 1 day.
    agent_id = the case's owner (latest assignment). -#}
{#- The thresholds have no default here: a missing var or key fails the compile (ops_config). -#}
{%- set cfg = ops_config('stuck_cases', [
    'stage_sla_days', 'no_contact_days.default', 'broken_promise_follow_up_days'
]) -%}
{%- set sla = cfg['stage_sla_days'] -%}
{%- set no_contact = cfg['no_contact_days'] -%}
{%- set follow_up_days = cfg['broken_promise_follow_up_days'] | int -%}
{%- set default_no_contact = no_contact.get('default') | int -%}

with

status as (

    select * from {{ ref('int_ops_case_status') }}
    where is_open

),

promises as (

    select * from {{ ref('fct_promises') }}

),

stage_sla as (

    select
        case_id,
        'stage_sla' as rule,
        current_stage as stage,
        cast(current_stage_entered_at as date) as reference_date,
        case current_stage
            {%- for stage_name, days in sla.items() %}
            when '{{ stage_name }}' then {{ days | int }}
            {%- endfor %}
            else cast(null as integer)
        end as threshold_days
    from status
    where current_stage is not null

),

no_contact as (

    select
        case_id,
        'no_contact' as rule,
        current_stage as stage,
        cast(
            case
                when last_contact_at > last_opened_at then last_contact_at else last_opened_at
            end as date
        ) as reference_date,
        case strategy
            {%- for strategy_name, days in no_contact.items() if strategy_name != 'default' %}
            when '{{ strategy_name }}' then {{ days | int }}
            {%- endfor %}
            else {{ default_no_contact }}
        end as threshold_days
    from status

),

broken_promises as (

    select
        promises.case_id,
        min(promises.window_end_date) as reference_date
    from promises
    inner join status
        on promises.case_id = status.case_id
    where
        promises.outcome = 'broken'
        and promises.follow_up_at is null
    group by promises.case_id

),

broken_promise_no_follow_up as (

    select
        broken_promises.case_id,
        'broken_promise_no_follow_up' as rule,
        status.current_stage as stage,
        broken_promises.reference_date,
        {{ follow_up_days }} as threshold_days
    from broken_promises
    inner join status
        on broken_promises.case_id = status.case_id

),

candidates as (

    select * from stage_sla
    union all
    select * from no_contact
    union all
    select * from broken_promise_no_follow_up

),

broken_rules as (

    select
        candidates.*,
        {{ dbt.datediff('candidates.reference_date', as_of_date(), 'day') }} as days_elapsed
    from candidates
    where threshold_days is not null

),

final as (

    select
        broken_rules.case_id,
        status.owner_agent_id as agent_id,
        broken_rules.rule,
        cast(
            {{ dbt.dateadd('day', 'broken_rules.threshold_days + 1', 'broken_rules.reference_date') }}
            as date
        ) as stuck_since,
        broken_rules.reference_date,
        cast(broken_rules.threshold_days as integer) as threshold_days,
        cast(broken_rules.days_elapsed as integer) as days_elapsed,
        broken_rules.stage,
        status.strategy,
        status.debtor_id,
        status.segment,
        status.owner_team as team,
        status.last_contact_at
    from broken_rules
    inner join status
        on broken_rules.case_id = status.case_id
    where broken_rules.days_elapsed > broken_rules.threshold_days

)

select * from final
