{#- Credit sales documents (DESIGN.md §4): every invoice (+ amount) and credit note (- amount)
    issued on or before as_of, converted at the rate of its issue date (latest rate on or
    before it), rounded to the cent per document. -#}
with

invoices as (

    select * from {{ ref('stg_erp__invoices') }}

),

customers as (

    select * from {{ ref('stg_erp__customers') }}

),

fx_rates as (

    select * from {{ ref('stg_fx__rates') }}

),

documents as (

    select
        invoice_id as document_id,
        document_type,
        reference_invoice_id,
        debtor_id,
        issue_date,
        currency,
        case
            when document_type = 'credit_note' then 0 - document_amount else document_amount
        end as signed_amount
    from invoices
    where issue_date <= {{ as_of_date() }}

),

issue_dates as (

    select distinct issue_date from documents

),

issue_date_rates as (

    {{ fx_rates_on_dates('issue_dates', 'issue_date', 'fx_rates') }}

),

final as (

    select
        documents.document_id,
        documents.document_type,
        documents.reference_invoice_id,
        documents.debtor_id,
        {{ finance_segment('customers.segment') }} as segment,
        documents.issue_date,
        cast({{ dbt.date_trunc('month', 'documents.issue_date') }} as date) as sales_month,
        documents.currency,
        cast(documents.signed_amount as decimal(18, 2)) as signed_amount,
        cast(issue_date_rates.rate_to_reporting as decimal(24, 10)) as fx_rate,
        issue_date_rates.rate_date as fx_rate_date,
        cast(
            round(documents.signed_amount * issue_date_rates.rate_to_reporting, 2)
            as decimal(18, 2)
        ) as signed_amount_rc
    from documents
    left join customers
        on documents.debtor_id = customers.debtor_id
    left join issue_date_rates
        on
            documents.issue_date = issue_date_rates.issue_date
            and documents.currency = issue_date_rates.currency

)

select * from final
