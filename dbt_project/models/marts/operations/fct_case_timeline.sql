{#- Every source record of a case in time order, up to as_of: case events (stage changes,
    assignments, promises, disputes...), calls and messages, each with the file and row it was
    loaded from, so a supervisor or an auditor can read a case's story and trace each line back
    to its source. One row per record.
    Incremental: a build rewrites the records loaded since the last one and those dated after
    the latest date it holds (macro loaded_or_dated_since_last_build), by record key; the
    post-hook removes a record whose latest version left the timeline's scope (its case
    cleared, its date moved past as_of). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['record_kind', 'record_id'],
    on_schema_change='fail',
    post_hook="{{ remove_records_out_of_scope(
        'record_kind', 'record_id', record_sources(['case_event', 'call', 'message'])
    ) }}"
) }}
with

events as (

    select * from {{ ref('stg_cases__case_events') }}
    {{ loaded_or_dated_since_last_build('_loaded_at', 'occurred_at') }}

),

calls as (

    select * from {{ ref('stg_contacts__calls') }}
    {{ loaded_or_dated_since_last_build('_loaded_at', 'started_at') }}

),

messages as (

    select * from {{ ref('stg_contacts__messages') }}
    {{ loaded_or_dated_since_last_build('_loaded_at', 'sent_at') }}

),

timeline as (

    select
        case_id,
        occurred_at,
        'case_event' as record_kind,
        event_id as record_id,
        event_type as activity,
        cast(null as {{ dbt.type_string() }}) as direction,
        cast(null as {{ dbt.type_string() }}) as outcome,
        actor_id as agent_id,
        case event_type
            when 'stage_changed' then 'stage ' || stage
            when 'assigned' then 'to ' || assigned_agent_id
            when 'promise_made'
                then
                    promise_id || ': ' || cast(event_amount as {{ dbt.type_string() }})
                    || ' ' || event_currency || ' by ' || cast(promised_date as {{ dbt.type_string() }})
            when 'dispute_opened' then dispute_id || ' on ' || disputed_invoice_id || ': ' || reason
            when 'dispute_resolved' then dispute_id || ' ' || dispute_outcome
            when 'fee_charged'
                then cast(event_amount as {{ dbt.type_string() }}) || ' ' || event_currency
            when 'referred_to_litigation'
                then cast(event_amount as {{ dbt.type_string() }}) || ' ' || event_currency
            when 'closed' then reason
        end as detail,
        _source_file as source_file,
        _source_row as source_row,
        _loaded_at as loaded_at
    from events

    union all

    select
        case_id,
        started_at as occurred_at,
        'call' as record_kind,
        contact_id as record_id,
        'call' as activity,
        direction,
        outcome,
        agent_id,
        cast(duration_seconds as {{ dbt.type_string() }}) || ' s' as detail,
        _source_file as source_file,
        _source_row as source_row,
        _loaded_at as loaded_at
    from calls

    union all

    select
        case_id,
        sent_at as occurred_at,
        'message' as record_kind,
        contact_id as record_id,
        channel as activity,
        direction,
        outcome,
        agent_id,
        template_id as detail,
        _source_file as source_file,
        _source_row as source_row,
        _loaded_at as loaded_at
    from messages

),

final as (

    select
        case_id,
        occurred_at,
        record_kind,
        record_id,
        activity,
        direction,
        outcome,
        agent_id,
        detail,
        source_file,
        source_row,
        loaded_at
    from timeline
    where
        case_id is not null
        and cast(occurred_at as date) <= {{ as_of_date() }}

)

select * from final
