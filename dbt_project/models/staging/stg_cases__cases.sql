{{ config(unique_key='case_id') }}
with

{{ staging_latest('cases_cases', ['case_id'], updated_at='updated_at') }},

final as (

    select
        case_id,
        debtor_id,
        agent_id,
        cast(opened_at as {{ dbt.type_timestamp() }}) as opened_at,
        cast(placed_amount as decimal(18, 2)) as placed_amount,
        currency,
        strategy,
        jurisdiction,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
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
