{{ config(unique_key='entry_ref') }}
with

{{ staging_latest('bank_entries', ['entry_ref']) }},

final as (

    select
        entry_ref,
        statement_id,
        account_iban,
        cast(booking_date as date) as booking_date,
        cast(value_date as date) as value_date,
        cast(amount as decimal(18, 2)) as entry_amount,
        currency,
        credit_debit,
        case when credit_debit = 'CRDT' then true else false end as is_credit,
        {#- rows loaded before the columns existed were booked, non-reversal entries -#}
        coalesce(is_reversal, false) as is_reversal,
        case
            when credit_debit = 'CRDT' and not coalesce(is_reversal, false) then true
            else false
        end as is_payment,
        coalesce(entry_status, 'BOOK') as entry_status,
        bank_transaction_code,
        counterparty_name,
        counterparty_iban,
        remittance_info,
        _source_file,
        _source_row,
        _loaded_at,
        _batch_id
    from latest

)

-- Stored by entry_ref: the case file's reconciliation (amicable/case_file/reconcile.py) reads
-- one case's rows by it, and DuckDB skips the other row groups by their min/max.
select * from final
order by entry_ref
