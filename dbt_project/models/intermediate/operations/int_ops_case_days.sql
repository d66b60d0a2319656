{#- One row per case and UTC calendar day on which the case is open at some moment, with the
    agent owning it at the end of the day (latest assignment that day):
      is_open_at_day_end  true when the case is open at the end of the day: from its opening day
                          until the day before it is closed, and again from the day it is
                          reopened (the open caseload counts these days only);
                          false on the day it is closed (it was open until the closing), so
                          the day's collection is still credited to its owner (fct_agent_daily).
    A case closed and reopened on the same day is open at its end. A case stays out on the days
    it is closed from start to end. Days run over a fixed horizon before as_of (no
    data-dependent query at compile time).
    loaded_at is the newest raw load of case records and case events the build that wrote the
    row had seen (lineage).
    Incremental (delete+insert by case and day): a daily build writes the days after the
    latest day it holds, for every case, and rewrites each case the new files touch from the
    earliest day they can change (macro cases_restated_since_last_build): a new or corrected
    case record from the case's opening, a new or corrected stage_changed, closed, reopened or
    assigned event from the earlier of its old and new dates. That is the restatement window:
    a case's rows on a day depend only on its record and its events up to that day. The
    pre-hook deletes those rows first, so a day the case no longer has disappears. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['case_id', 'day'],
    on_schema_change='fail',
    pre_hook="{{ remove_restated_case_days() }}"
) }}
{%- set max_history_days = 3660 -%}
{%- set next_day = "cast(" ~ dbt.dateadd('day', 1, last_built_day('day')) ~ " as date)" -%}

with

status as (

    select * from {{ ref('int_ops_case_status') }}

),

closed_periods as (

    select
        case_id,
        cast(entered_at as date) as closed_from_date,
        cast(left_at as date) as reopened_date
    from {{ ref('int_ops_case_stays') }}
    where state = 'closed'

),

owners as (

    select * from {{ ref('int_ops_case_owners') }}

),

day_offsets as (

    {{ dbt.generate_series(max_history_days) }}

),

days as (

    select
        cast({{ dbt.dateadd('day', '1 - generated_number', as_of_date()) }} as date) as day
    from day_offsets

),

{%- if is_incremental() %}

restated as (

    {{ cases_restated_since_last_build() }}

),
{%- endif %}

-- The day each case was closed for good (a closing it was never reopened from): every later
-- day is closed all day, so none is generated.
final_closures as (

    select
        case_id,
        min(closed_from_date) as closed_from_date
    from closed_periods
    where reopened_date is null
    group by case_id

),

scope as (

    {#- The first day written for each case: its opening day on a full build; on a daily build
        the day after the latest day held, or the day it is restated from if earlier. The last:
        the day it was closed for good, else as_of. -#}
    select
        status.case_id,
        status.debtor_id,
        final_closures.closed_from_date as last_day,
        {%- if is_incremental() %}
        greatest(
            cast(status.opened_at as date),
            least(
                coalesce(restated.restated_from, {{ next_day }}),
                {{ next_day }}
            )
        ) as first_day
        {%- else %}
        cast(status.opened_at as date) as first_day
        {%- endif %}
    from status
    left join final_closures
        on status.case_id = final_closures.case_id
    {%- if is_incremental() %}
    left join restated
        on status.case_id = restated.case_id
    {%- endif %}

),

case_days as (

    {#- closed_periods never overlap, so a day falls in at most one: none -> open at the end of
        the day; one that starts that day -> the closing day (kept, not open at its end); one
        that started before -> closed all day (left out). -#}
    select
        scope.case_id,
        scope.debtor_id,
        days.day,
        case when closed_periods.case_id is null then true else false end as is_open_at_day_end
    from scope
    inner join days
        on days.day between scope.first_day and coalesce(scope.last_day, days.day)
    left join closed_periods
        on
            scope.case_id = closed_periods.case_id
            and days.day >= closed_periods.closed_from_date
            and (closed_periods.reopened_date is null or days.day < closed_periods.reopened_date)
    where closed_periods.case_id is null or closed_periods.closed_from_date = days.day

),

-- The owner at the end of each day. Ownership periods follow each other without overlap
-- (int_ops_case_owners: each ends when the next begins), so their days, from the day one
-- begins up to the day before the next begins, do not overlap either: at most one matches.
owned as (

    select
        case_days.case_id,
        case_days.debtor_id,
        case_days.day,
        case_days.is_open_at_day_end,
        owners.agent_id
    from case_days
    left join owners
        on
            case_days.case_id = owners.case_id
            and cast(owners.owned_from as date) <= case_days.day
            and (owners.owned_to is null or cast(owners.owned_to as date) > case_days.day)

),

final as (

    select
        case_id,
        debtor_id,
        day,
        agent_id,
        is_open_at_day_end,
        {{ newest_raw_load([source('raw', 'cases_cases'), source('raw', 'cases_case_events')]) }}
            as loaded_at
    from owned

)

select * from final
