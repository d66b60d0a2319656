{#- The debtor's ledger records that belong to each case's file (int_case_ledger_windows):
      - documents: the debtor's invoices still open at the start of the opening date (amount -
        allocations paid before it - credit notes issued before it > 0: the balance period of
        fct_ar_balance_periods holding on the day before) and those issued while the case was
        open;
      - credit notes on those documents issued in the case's window;
      - payment allocations to those documents with a payment date (bank value date, else
        allocation date) in the window;
      - bank entries those allocations point to (one row per entry, its full amount).
    Everything dated up to as_of. One row per case and record; amounts in their own currency
    (an allocation's is its document's). -#}
with

windows as (

    select * from {{ ref('int_case_ledger_windows') }}

),

invoices as (

    select * from {{ ref('stg_erp__invoices') }}

),

payment_allocations as (

    select * from {{ ref('int_payment_allocations_dated') }}

),

allocation_rows as (

    select * from {{ ref('stg_erp__payment_allocations') }}

),

bank_entries as (

    select * from {{ ref('stg_bank__entries') }}

),

balance_periods as (

    select * from {{ ref('fct_ar_balance_periods') }}

),

debtor_invoices as (

    select
        windows.case_id,
        windows.window_start_date,
        windows.window_end_date,
        windows.issued_to_date,
        invoices.invoice_id,
        invoices.issue_date
    from windows
    inner join invoices
        on
            windows.debtor_id = invoices.debtor_id
            and invoices.document_type = 'invoice'

),

open_at_opening as (

    select
        debtor_invoices.case_id,
        debtor_invoices.invoice_id
    from debtor_invoices
    inner join balance_periods
        on
            debtor_invoices.invoice_id = balance_periods.invoice_id
            and debtor_invoices.window_start_date > balance_periods.valid_from
            and coalesce(balance_periods.valid_to, cast('9999-12-31' as date))
            >= debtor_invoices.window_start_date
    where
        debtor_invoices.issue_date < debtor_invoices.window_start_date
        and balance_periods.open_amount > 0

),

issued_while_open as (

    select
        case_id,
        invoice_id
    from debtor_invoices
    where
        {{ case_ledger_window_contains('issue_date', 'debtor_invoices') }}
        and issue_date <= issued_to_date

),

case_invoices as (

    select
        case_id,
        invoice_id
    from open_at_opening
    union
    select
        case_id,
        invoice_id
    from issued_while_open

),

case_credit_notes as (

    select
        case_invoices.case_id,
        credit_notes.invoice_id
    from case_invoices
    inner join windows on case_invoices.case_id = windows.case_id
    inner join invoices as credit_notes
        on case_invoices.invoice_id = credit_notes.reference_invoice_id
    where
        credit_notes.document_type = 'credit_note'
        and {{ case_ledger_window_contains('credit_notes.issue_date') }}

),

case_allocations as (

    select
        case_invoices.case_id,
        payment_allocations.allocation_id,
        payment_allocations.payment_ref,
        payment_allocations.invoice_id,
        payment_allocations.allocated_amount,
        payment_allocations.allocated_at,
        payment_allocations.payment_date,
        payment_allocations.has_bank_entry,
        invoices.currency,
        allocation_rows._source_file,
        allocation_rows._source_row
    from case_invoices
    inner join windows on case_invoices.case_id = windows.case_id
    inner join invoices on case_invoices.invoice_id = invoices.invoice_id
    inner join payment_allocations on case_invoices.invoice_id = payment_allocations.invoice_id
    inner join allocation_rows
        on payment_allocations.allocation_id = allocation_rows.allocation_id
    where {{ case_ledger_window_contains('payment_allocations.payment_date') }}

),

case_documents as (

    select
        case_id,
        invoice_id
    from case_invoices
    union
    select
        case_id,
        invoice_id
    from case_credit_notes

),

documents as (

    select
        case_documents.case_id,
        cast(invoices.issue_date as {{ dbt.type_timestamp() }}) as occurred_at,
        invoices.document_type as record_kind,
        'erp_invoices' as source_table,
        invoices.invoice_id as source_id,
        invoices.document_type as activity,
        case
            when invoices.document_type = 'credit_note'
                then invoices.invoice_number || ' on ' || invoices.reference_invoice_id
            else
                invoices.invoice_number || ' due '
                || cast(invoices.due_date as {{ dbt.type_string() }})
        end as detail,
        invoices.document_amount as amount,
        invoices.currency,
        invoices._source_file as source_file,
        invoices._source_row as source_row
    from case_documents
    inner join invoices on case_documents.invoice_id = invoices.invoice_id

),

allocations as (

    select
        case_id,
        allocated_at as occurred_at,
        'payment_allocation' as record_kind,
        'erp_payment_allocations' as source_table,
        allocation_id as source_id,
        'allocation' as activity,
        'to ' || invoice_id || ' from ' || payment_ref || ', paid '
        || cast(payment_date as {{ dbt.type_string() }})
        || case when has_bank_entry then '' else ' (no bank entry)' end as detail,
        allocated_amount as amount,
        currency,
        _source_file as source_file,
        _source_row as source_row
    from case_allocations

),

entries as (

    select distinct
        case_allocations.case_id,
        cast(bank_entries.value_date as {{ dbt.type_timestamp() }}) as occurred_at,
        'bank_entry' as record_kind,
        'bank_entries' as source_table,
        bank_entries.entry_ref as source_id,
        bank_entries.credit_debit as activity,
        coalesce(bank_entries.counterparty_name, '')
        || coalesce(': ' || bank_entries.remittance_info, '') as detail,
        bank_entries.entry_amount as amount,
        bank_entries.currency,
        bank_entries._source_file as source_file,
        bank_entries._source_row as source_row
    from case_allocations
    inner join bank_entries on case_allocations.payment_ref = bank_entries.entry_ref

),

final as (

    select * from documents
    union all
    select * from allocations
    union all
    select * from entries

)

select * from final
