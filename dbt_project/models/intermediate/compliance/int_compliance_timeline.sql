{#- One row per contact (call or message, either direction) and per case event up to as_of,
    with its case's compliance context: the auditor's case timeline and the input of every
    compliance rule (macros/compliance_*.sql). agent_id: the contact's agent, else the event's
    actor unless `system`, else the case's owner at that moment (int_ops_case_owners).
    loaded_at: the newest raw load of the staging inputs the build that wrote the row had seen.
    Incremental by item (delete+insert by item_id) on the tails of cases: a daily build
    rewrites each case the new files can change from the earliest moment they can change it
    (compliance_timeline_restated_cases in macros/compliance_restatements.sql): from a call,
    message or event loaded since (and from the row it held before, should it have moved in
    time), or dated after the latest day held; a whole case when its case record was loaded,
    when a record left it (for the breaches, which rewrite the cases with rows written), and
    every case of a debtor whose customer record was loaded. A held item of that scope that yields no row
    any more (moved to a case the timeline does not know, or past the as-of date) is
    withdrawn: the batch carries it with a null `loaded_at`, and the post-hook deletes it
    (remove_withdrawn_rows). A day's
    new contacts rewrite the end of their cases' timelines, not their whole history. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='item_id',
    on_schema_change='fail',
    post_hook="{{ remove_withdrawn_rows() }}"
) }}
{%- set staging_inputs = [
    ref('stg_cases__cases'),
    ref('stg_erp__customers'),
    ref('stg_contacts__calls'),
    ref('stg_contacts__messages'),
    ref('stg_cases__case_events'),
] %}
with

{%- if is_incremental() %}

-- Computed once: every input below and the withdrawals read it.
{% call staged_cte('restated_cases') %}
    {{ compliance_timeline_restated_cases() }}
{% endcall %},
{%- endif %}

cases as (

    select * from {{ ref('int_compliance_cases') }}
    {{ in_restated_cases() }}

),

calls as (

    select calls.* from {{ ref('stg_contacts__calls') }} as calls
    {{ restated_case_tails('calls', 'started_at') }}

),

messages as (

    select messages.* from {{ ref('stg_contacts__messages') }} as messages
    {{ restated_case_tails('messages', 'sent_at') }}

),

events as (

    select events.* from {{ ref('stg_cases__case_events') }} as events
    {{ restated_case_tails('events', 'occurred_at') }}

),

owners as (

    select * from {{ ref('int_ops_case_owners') }}
    {{ in_restated_cases() }}

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
        coalesce(items.agent_id, owners.agent_id, cases.agent_id) as agent_id,
        {{ newest_raw_load(staging_inputs) }} as loaded_at
    from items
    inner join cases on items.case_id = cases.case_id
    left join owners
        on
            items.case_id = owners.case_id
            and items.occurred_at >= owners.owned_from
            and (owners.owned_to is null or items.occurred_at < owners.owned_to)
    where cast(items.occurred_at as date) <= {{ as_of_date() }}

)

{%- if is_incremental() %},

-- Held items of the restated tails that this build does not write again: withdrawn.
withdrawn as (

    {{ withdrawn_rows('true', ['item_id'], restated_case_tails('held_rows', 'occurred_at')) }}

)

select * from final
union all
select * from withdrawn
{%- else %}

select * from final
{%- endif %}
