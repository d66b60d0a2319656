{#- Payload keys per event type (DESIGN.md §3): stage_changed {stage}; assigned {agent_id};
    promise_made {promise_id, amount, currency, promised_date}; dispute_opened {dispute_id,
    invoice_id, reason}; dispute_resolved {dispute_id, outcome}; fee_charged and
    referred_to_litigation {amount, currency, reason}; closed {reason}. -#}
{{ config(unique_key='event_id') }}
with

{{ staging_latest('cases_case_events', ['event_id']) }},

extracted as (

    select
        event_id,
        case_id,
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,
        event_type,
        actor_id,
        {{ json_extract_text('payload', 'stage') }} as stage,
        {{ json_extract_text('payload', 'agent_id') }} as assigned_agent_id,
        {{ json_extract_text('payload', 'promise_id') }} as promise_id,
        cast({{ json_extract_text('payload', 'amount') }} as decimal(18, 2)) as event_amount,
        {{ json_extract_text('payload', 'currency') }} as event_currency,
        cast({{ json_extract_text('payload', 'promised_date') }} as date) as promised_date,
        {{ json_extract_text('payload', 'dispute_id') }} as dispute_id,
        {{ json_extract_text('payload', 'invoice_id') }} as disputed_invoice_id,
        {{ json_extract_text('payload', 'reason') }} as reason,
        {{ json_extract_text('payload', 'outcome') }} as dispute_outcome,
        payload,
        _source_file,
        _source_row,
        _loaded_at,
        _batch_id
    from latest

),

final as (

    select * from extracted

)

-- Stored by case_id: the case file's reconciliation (amicable/case_file/reconcile.py) reads
-- one case's rows by it, and DuckDB skips the other row groups by their min/max.
select * from final
order by case_id
