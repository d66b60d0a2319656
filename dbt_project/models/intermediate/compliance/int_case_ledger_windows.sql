{#- Which of the debtor's ledger records belong to each case's file (int_case_file_ledger):
      - the case's documents are the debtor's invoices still open at the start of the opening
        date, and those issued from the opening date to the day the case closed (as_of while
        it is open): issued_from_date .. issued_to_date, both included;
      - credit notes on them and payments to them count from the opening date (included) to
        the opening date of the debtor's next case (excluded; null for the latest case: up to
        as_of): the rule int_finance_case_recoveries uses to attribute payments.
    Cases opened after as_of are left out. -#}
with

status as (

    select * from {{ ref('int_ops_case_status') }}

),

final as (

    select
        case_id,
        debtor_id,
        cast(opened_at as date) as window_start_date,
        lead(cast(opened_at as date)) over (
            partition by debtor_id order by opened_at, case_id
        ) as window_end_date,
        coalesce(cast(closed_at as date), {{ as_of_date() }}) as issued_to_date
    from status

)

select * from final
