{{ config(unique_key='contact_id') }}
with

{{ staging_latest('contacts_calls', ['contact_id']) }},

final as (

    select
        contact_id,
        case_id,
        debtor_id,
        agent_id,
        direction,
        cast(started_at as {{ dbt.type_timestamp() }}) as started_at,
        cast(duration_s as {{ dbt.type_bigint() }}) as duration_seconds,
        outcome,
        _source_file,
        _source_row,
        _loaded_at,
        _batch_id
    from latest

)

-- Stored by case_id: the case file's reconciliation (amicable/case_file/reconcile.py) reads
-- one case's rows by it, and DuckDB skips the other row groups by their min/max.
select * from final
order by case_id
