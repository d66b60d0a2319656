{#- Balance history of every invoice, as periods of constant balance (DESIGN.md §4 Ageing).

    Inputs are relation or CTE names with the columns of stg_erp__invoices (invoice_id,
    document_type, reference_invoice_id, issue_date, document_amount) and of
    int_payment_allocations_dated (invoice_id, payment_date, allocated_amount).

    One row per invoice and date on which its balance changes: the issue date (+ amount), each
    payment date (- allocations, payment date = bank value date) and each issue date of a credit
    note referencing it (- credit note amount). A movement dated before the invoice's issue date
    counts on the issue date (the invoice does not exist before it). The balance holds from
    valid_from_date (included) to valid_to_date (excluded; 9999-12-31 for the current period):

        net_balance_amount = invoice_amount - allocated_amount_to_date - credited_amount_to_date

    in the invoice currency. Positive: open amount. Negative: unapplied credit (over-payment or
    over-credit). Shared by fct_ar_ageing and fct_unapplied_credit so the formula lives once. -#}
{% macro invoice_balance_periods(invoices, payment_allocations) -%}
    select
        invoice_id,
        valid_from_date,
        coalesce(valid_to_date, cast('9999-12-31' as date)) as valid_to_date,
        invoice_amount,
        allocated_amount_to_date,
        credited_amount_to_date,
        invoice_amount - allocated_amount_to_date - credited_amount_to_date as net_balance_amount
    from (
        select
            invoice_id,
            invoice_amount,
            movement_date as valid_from_date,
            lead(movement_date) over (
                partition by invoice_id order by movement_date
            ) as valid_to_date,
            sum(allocated_amount) over (
                partition by invoice_id
                order by movement_date
                rows between unbounded preceding and current row
            ) as allocated_amount_to_date,
            sum(credited_amount) over (
                partition by invoice_id
                order by movement_date
                rows between unbounded preceding and current row
            ) as credited_amount_to_date
        from (
            select
                invoice_id,
                invoice_amount,
                movement_date,
                sum(allocated_amount) as allocated_amount,
                sum(credited_amount) as credited_amount
            from (
                select
                    invoices.invoice_id,
                    invoices.document_amount as invoice_amount,
                    invoices.issue_date as movement_date,
                    cast(0 as decimal(18, 2)) as allocated_amount,
                    cast(0 as decimal(18, 2)) as credited_amount
                from {{ invoices }} as invoices
                where invoices.document_type = 'invoice'

                union all

                select
                    invoices.invoice_id,
                    invoices.document_amount as invoice_amount,
                    {{ invoice_movement_date('payment_allocations.payment_date', 'invoices.issue_date') }}
                        as movement_date,
                    payment_allocations.allocated_amount,
                    cast(0 as decimal(18, 2)) as credited_amount
                from {{ payment_allocations }} as payment_allocations
                inner join {{ invoices }} as invoices
                    on payment_allocations.invoice_id = invoices.invoice_id
                where invoices.document_type = 'invoice'

                union all

                select
                    invoices.invoice_id,
                    invoices.document_amount as invoice_amount,
                    {{ invoice_movement_date('credit_notes.issue_date', 'invoices.issue_date') }}
                        as movement_date,
                    cast(0 as decimal(18, 2)) as allocated_amount,
                    credit_notes.document_amount as credited_amount
                from {{ invoices }} as credit_notes
                inner join {{ invoices }} as invoices
                    on credit_notes.reference_invoice_id = invoices.invoice_id
                where
                    credit_notes.document_type = 'credit_note'
                    and invoices.document_type = 'invoice'
            ) as movements
            group by invoice_id, invoice_amount, movement_date
        ) as daily_movements
    ) as balance_periods
{%- endmacro %}


{#- The date a payment or credit note moves its invoice's balance: its own date, or the
    invoice's issue date when earlier (the invoice does not exist before it). -#}
{% macro invoice_movement_date(document_date, invoice_issue_date) -%}
    case
        when {{ document_date }} > {{ invoice_issue_date }} then {{ document_date }}
        else {{ invoice_issue_date }}
    end
{%- endmacro %}
