{#- Written-off AR (issue 19, roll rates): one row per invoice in the file of a case closed with
    close reason `written_off` (int_case_file_ledger: the debtor's invoices open at the case's
    opening and those issued while it was open), with the day its earliest such case closed.
    The ERP (and the generator) leave a written-off invoice open: fct_ar_ageing, the ledger,
    keeps it; fct_ar_roll_rates counts its open AR `written_off` in the month of that day and
    leaves it out of the open AR it follows from then on. The case's close is as it stands at
    as_of (int_ops_case_status): a case written off and reopened since writes nothing off. -#}
with

ledger as (

    select * from {{ ref('int_case_file_ledger') }}
    where record_kind = 'invoice'

),

cases as (

    select * from {{ ref('int_ops_case_status') }}
    where not is_open and close_reason = 'written_off'

),

covered as (

    select
        ledger.source_id as invoice_id,
        cases.debtor_id,
        cases.case_id,
        cast(cases.closed_at as date) as written_off_date,
        row_number() over (
            partition by ledger.source_id order by cases.closed_at, cases.case_id
        ) as earliest
    from ledger
    inner join cases on ledger.case_id = cases.case_id

),

final as (

    select
        invoice_id,
        debtor_id,
        case_id,
        written_off_date
    from covered
    where earliest = 1

)

select * from final
