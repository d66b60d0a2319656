{#- Agent results per agent and UTC calendar day (DESIGN.md §4 "Agents"); a row exists when the
    agent had any call, promise, collection or open case that day.
      call_attempts          outbound calls made by the agent
      right_party_contacts   of those, calls that reached the debtor: outcome
                             right_party_contact, promise_to_pay, refusal or dispute
      rpc_rate               = right_party_contacts ÷ call_attempts (null without attempts)
      inbound_conversations  inbound calls with one of those outcomes (not in the rate)
      promises_made, promised_amount_rc  promises recorded by the agent (fct_promises)
      collected_amount_rc    allocations to any invoice of the debtor of a case the agent owns
                             that day (int_ops_case_days: open at the end of the day, or closed
                             that day: the payment that closes a case counts), dated that day
                             (payment date), in reporting currency at the rate of the latest
                             rate_date on or before the day; counted once however many of the
                             debtor's cases the agent owns
      open_caseload          cases open at the end of the day owned by the agent
                             (int_ops_case_days.is_open_at_day_end)
      loaded_at              the newest raw load of the sources above that the build that
                             wrote the row had seen (lineage)
    Incremental (delete+insert by agent and day): a daily build writes every agent's days
    after the latest day it holds, and rewrites the agent-days the new files can change
    (macro agent_days_restated_since_last_build): the agent and day of every version, old
    and new, of a loaded call or promise; the promises whose FX date can move; the owners,
    before and after, of a restated case (int_ops_case_days's window) from the day it is
    restated from; the owners of the debtor of a loaded payment, bank entry or invoice on its
    payment day; every day of an agent whose record was loaded. That is the restatement
    window, computed once, in the SELECT: a held agent-day of the window that the new data no
    longer yields (an agent-day left without activity) comes back in the batch as a withdrawal,
    the held row with a null `loaded_at`, and the post-hook deletes it
    (remove_withdrawn_rows). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['agent_id', 'activity_date'],
    on_schema_change='fail',
    post_hook="{{ remove_withdrawn_rows() }}"
) }}
{%- set raw_sources = [
    source('raw', 'cases_agents'),
    source('raw', 'cases_cases'),
    source('raw', 'cases_case_events'),
    source('raw', 'contacts_calls'),
    source('raw', 'erp_invoices'),
    source('raw', 'erp_payment_allocations'),
    source('raw', 'bank_entries'),
    source('raw', 'fx_rates'),
] %}
{%- set next_day = "cast(" ~ dbt.dateadd('day', 1, last_built_day('activity_date')) ~ " as date)" %}
-- depends_on: {{ ref('stg_bank__entries') }} (read by the restatement window)
with

{%- if is_incremental() %}

{% call staged_cte('restated') %}
    {{ agent_days_restated_since_last_build() }}
{% endcall %},
{%- endif %}

contacts as (

    select * from {{ ref('int_ops_case_contacts') }} as calls_in
    where contact_kind = 'call' and agent_id is not null
    {{ in_restated_agent_days('calls_in.agent_id', 'calls_in.contact_date', next_day) }}

),

promises as (

    select * from {{ ref('fct_promises') }} as promises_in
    where agent_id is not null
    {{ in_restated_agent_days('promises_in.agent_id', 'cast(promises_in.made_at as date)', next_day) }}

),

case_days as (

    select * from {{ ref('int_ops_case_days') }} as case_days_in
    where agent_id is not null
    {{ in_restated_agent_days('case_days_in.agent_id', 'case_days_in.day', next_day) }}

),

invoices as (

    select * from {{ ref('stg_erp__invoices') }}

),

allocations as (

    select * from {{ ref('int_payment_allocations_dated') }}

),

agents as (

    select * from {{ ref('stg_cases__agents') }}

),

fx_rates as (

    select * from {{ ref('stg_fx__rates') }}

),

calls_daily as (

    select
        agent_id,
        contact_date as activity_date,
        sum(case when is_call_attempt then 1 else 0 end) as call_attempts,
        sum(case when is_call_attempt and is_right_party_contact then 1 else 0 end)
            as right_party_contacts,
        sum(case when not is_call_attempt and is_right_party_contact then 1 else 0 end)
            as inbound_conversations
    from contacts
    group by agent_id, contact_date

),

promises_daily as (

    select
        agent_id,
        cast(made_at as date) as activity_date,
        count(*) as promises_made,
        sum(promised_amount_rc) as promised_amount_rc,
        count(*) - count(promised_amount_rc) as promises_without_rate
    from promises
    where agent_id is not null
    group by agent_id, cast(made_at as date)

),

-- The debtors paid on each day, so that only the case-days of a payment are de-duplicated
-- (not every case-day of the history).
payment_debtor_days as (

    select distinct
        invoices.debtor_id,
        allocations.payment_date
    from invoices
    inner join allocations
        on invoices.invoice_id = allocations.invoice_id

),

debtor_days as (

    select distinct
        case_days.agent_id,
        case_days.day,
        case_days.debtor_id
    from case_days
    inner join payment_debtor_days
        on
            case_days.debtor_id = payment_debtor_days.debtor_id
            and case_days.day = payment_debtor_days.payment_date

),

payments as (

    select
        debtor_days.agent_id,
        debtor_days.day as activity_date,
        invoices.currency,
        allocations.allocated_amount
    from debtor_days
    inner join invoices
        on debtor_days.debtor_id = invoices.debtor_id
    inner join allocations
        on
            invoices.invoice_id = allocations.invoice_id
            and debtor_days.day = allocations.payment_date

),

payment_dates as (

    select distinct activity_date from payments

),

fx_on_dates as (

    {{ fx_rates_on_dates('payment_dates', 'activity_date', 'fx_rates') }}

),

collected_daily as (

    select
        payments.agent_id,
        payments.activity_date,
        sum(round(payments.allocated_amount * fx_on_dates.rate_to_reporting, 2))
            as collected_amount_rc,
        count(*) - count(fx_on_dates.rate_to_reporting) as payments_without_rate
    from payments
    left join fx_on_dates
        on
            payments.activity_date = fx_on_dates.activity_date
            and payments.currency = fx_on_dates.currency
    group by payments.agent_id, payments.activity_date

),

caseload_daily as (

    select
        agent_id,
        day as activity_date,
        count(*) as open_caseload
    from case_days
    where is_open_at_day_end
    group by agent_id, day

),

agent_days as (

    select
        agent_id,
        activity_date
    from calls_daily
    union
    select
        agent_id,
        activity_date
    from promises_daily
    union
    select
        agent_id,
        activity_date
    from collected_daily
    union
    select
        agent_id,
        activity_date
    from caseload_daily

),

final as (

    select
        agent_days.agent_id,
        agent_days.activity_date,
        agents.team,
        cast(coalesce(calls_daily.call_attempts, 0) as integer) as call_attempts,
        cast(coalesce(calls_daily.right_party_contacts, 0) as integer) as right_party_contacts,
        cast({{ finance_round_ratio(
            'calls_daily.right_party_contacts', 'calls_daily.call_attempts', 4
        ) }} as decimal(9, 4)) as rpc_rate,
        cast(coalesce(calls_daily.inbound_conversations, 0) as integer)
            as inbound_conversations,
        cast(coalesce(promises_daily.promises_made, 0) as integer) as promises_made,
        cast(
            case
                when promises_daily.promises_without_rate > 0 then null
                else coalesce(promises_daily.promised_amount_rc, 0)
            end as decimal(18, 2)
        ) as promised_amount_rc,
        cast(
            case
                when collected_daily.payments_without_rate > 0 then null
                else coalesce(collected_daily.collected_amount_rc, 0)
            end as decimal(18, 2)
        ) as collected_amount_rc,
        cast(coalesce(caseload_daily.open_caseload, 0) as integer) as open_caseload,
        {{ newest_raw_load(raw_sources) }} as loaded_at
    from agent_days
    left join agents
        on agent_days.agent_id = agents.agent_id
    left join calls_daily
        on
            agent_days.agent_id = calls_daily.agent_id
            and agent_days.activity_date = calls_daily.activity_date
    left join promises_daily
        on
            agent_days.agent_id = promises_daily.agent_id
            and agent_days.activity_date = promises_daily.activity_date
    left join collected_daily
        on
            agent_days.agent_id = collected_daily.agent_id
            and agent_days.activity_date = collected_daily.activity_date
    left join caseload_daily
        on
            agent_days.agent_id = caseload_daily.agent_id
            and agent_days.activity_date = caseload_daily.activity_date

)
{%- if is_incremental() %},

-- Held agent-days of the window that this build does not write again: withdrawn.
withdrawn as (

    select
        held.agent_id,
        held.activity_date,
        held.team,
        held.call_attempts,
        held.right_party_contacts,
        held.rpc_rate,
        held.inbound_conversations,
        held.promises_made,
        held.promised_amount_rc,
        held.collected_amount_rc,
        held.open_caseload,
        cast(null as {{ dbt.type_timestamp() }}) as loaded_at
    from {{ this }} as held
    inner join restated
        on
            held.agent_id = restated.agent_id
            and held.activity_date = restated.day
    where not exists (
        select 1
        from agent_days
        where
            agent_days.agent_id = held.agent_id
            and agent_days.activity_date = held.activity_date
    )

)

select * from final
union all
select * from withdrawn
{%- else %}

select * from final
{%- endif %}
