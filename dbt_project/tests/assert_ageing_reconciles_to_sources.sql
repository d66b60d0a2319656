{{ config(meta={'dagster': {'ref': {'name': 'fct_ar_ageing'}}}) }}

{#- At the latest snapshot (as_of), the ageing's open amount per currency equals, recomputed
    straight from staging: per invoice issued <= as_of, invoice amount - allocations with a
    payment date (bank value date, else allocation date) <= as_of - credit notes referencing it
    issued <= as_of, clamped at zero. Returns the currencies that do not reconcile. -#}
with

invoices as (

    select * from {{ ref('stg_erp__invoices') }}

),

payment_allocations as (

    select * from {{ ref('stg_erp__payment_allocations') }}

),

bank_entries as (

    select * from {{ ref('stg_bank__entries') }}

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
        invoices.currency,
        invoices.document_amount
        - coalesce(allocated_per_invoice.allocated_amount, 0)
        - coalesce(credited_per_invoice.credited_amount, 0) as net_amount
    from invoices
    left join allocated_per_invoice
        on invoices.invoice_id = allocated_per_invoice.invoice_id
    left join credited_per_invoice
        on invoices.invoice_id = credited_per_invoice.invoice_id
    where invoices.document_type = 'invoice' and invoices.issue_date <= {{ as_of_date() }}

),

expected as (

    select
        currency,
        sum(case when net_amount > 0 then net_amount else 0 end) as open_amount
    from expected_per_invoice
    group by currency

),

actual as (

    select
        currency,
        sum(open_amount) as open_amount
    from ageing
    where snapshot_date = {{ as_of_date() }}
    group by currency

),

final as (

    select
        coalesce(expected.currency, actual.currency) as currency,
        coalesce(expected.open_amount, 0) as expected_open_amount,
        coalesce(actual.open_amount, 0) as ageing_open_amount
    from expected
    full outer join actual
        on expected.currency = actual.currency
    where coalesce(expected.open_amount, 0) <> coalesce(actual.open_amount, 0)

)

select * from final
