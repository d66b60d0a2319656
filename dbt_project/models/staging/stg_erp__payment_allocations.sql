{{ config(unique_key='allocation_id') }}
with

{{ staging_latest('erp_payment_allocations', ['allocation_id'], updated_at='allocated_at') }},

final as (

    select
        allocation_id,
        payment_ref,
        invoice_id,
        cast(amount as decimal(18, 2)) as allocated_amount,
        cast(allocated_at as {{ dbt.type_timestamp() }}) as allocated_at,
        _source_file,
        _source_row,
        _loaded_at,
        _batch_id
    from latest

)

-- Stored by invoice_id: the case file's reconciliation (amicable/case_file/reconcile.py) reads
-- one case's rows by it, and DuckDB skips the other row groups by their min/max.
select * from final
order by invoice_id
