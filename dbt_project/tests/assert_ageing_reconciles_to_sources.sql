{{ config(meta={'dagster': {'ref': {'name': 'fct_ar_ageing'}}}) }}

{#- Open AR reconciles to the sources to the cent (blocking: the ageing must hold exactly the
    open receivables of the sources). At the latest snapshot (as_of), each invoice's open amount
    and currency in the ageing equal, recomputed straight from staging (the source rows as
    staging keeps them): invoice amount - allocations with a payment date (value date of the
    bank payment, an entry neither debit nor reversal, else allocation date) <= as_of - credit
    notes referencing it issued <= as_of, for every invoice issued <= as_of whose result is
    above zero. Per invoice, so per currency too.
    Returns the invoices that differ (missing, extra, another amount or currency). -#}
with

invoices as (

    select * from {{ ref('stg_erp__invoices') }}

),

payment_allocations as (

    select * from {{ ref('stg_erp__payment_allocations') }}

),

bank_entries as (

    select * from {{ ref('stg_bank__entries') }}
    where is_payment

),

ageing as (

    select * from {{ ref('fct_ar_ageing') }}

),

allocated_per_invoice as (

    select
        payment_allocations.invoice_id,
        sum(payment_allocations.allocated_amount) as allocated_amount
    from payment_allocations
    left join bank_entries
        on payment_allocations.payment_ref = bank_entries.entry_ref
    where
        coalesce(bank_entries.value_date, cast(payment_allocations.allocated_at as date))
        <= {{ as_of_date() }}
    group by payment_allocations.invoice_id

),

credited_per_invoice as (

    select
        reference_invoice_id as invoice_id,
        sum(document_amount) as credited_amount
    from invoices
    where document_type = 'credit_note' and issue_date <= {{ as_of_date() }}
    group by reference_invoice_id

),

expected_per_invoice as (

    select
        invoices.invoice_id,
        invoices.currency,
        invoices.document_amount
        - coalesce(allocated_per_invoice.allocated_amount, 0)
        - coalesce(credited_per_invoice.credited_amount, 0) as open_amount
    from invoices
    left join allocated_per_invoice
        on invoices.invoice_id = allocated_per_invoice.invoice_id
    left join credited_per_invoice
        on invoices.invoice_id = credited_per_invoice.invoice_id
    where invoices.document_type = 'invoice' and invoices.issue_date <= {{ as_of_date() }}

),

expected as (

    select * from expected_per_invoice
    where open_amount > 0

),

actual as (

    select
        invoice_id,
        currency,
        open_amount
    from ageing
    where snapshot_date = {{ as_of_date() }}

),

final as (

    select
        coalesce(expected.invoice_id, actual.invoice_id) as invoice_id,
        coalesce(expected.currency, actual.currency) as currency,
        expected.open_amount as expected_open_amount,
        actual.open_amount as ageing_open_amount,
        actual.currency as ageing_currency
    from expected
    full outer join actual
        on expected.invoice_id = actual.invoice_id
    where
        expected.open_amount is distinct from actual.open_amount
        or expected.currency is distinct from actual.currency

)

select * from final
