{{ config(unique_key='invoice_id') }}
with

{{ staging_latest('erp_invoices', ['invoice_id'], updated_at='updated_at') }},

final as (

    select
        invoice_id,
        debtor_id,
        invoice_number,
        document_type,
        case when document_type = 'credit_note' then true else false end as is_credit_note,
        reference_invoice_id,
        cast(issue_date as date) as issue_date,
        cast(due_date as date) as due_date,
        cast(amount as decimal(18, 2)) as document_amount,
        currency,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        _source_file,
        _source_row,
        _loaded_at,
        _batch_id
    from latest

)

-- Stored by debtor_id: the case file's reconciliation (amicable/case_file/reconcile.py) reads
-- one case's rows by it, and DuckDB skips the other row groups by their min/max.
select * from final
order by debtor_id
