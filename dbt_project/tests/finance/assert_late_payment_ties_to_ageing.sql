{{ config(meta={'dagster': {'ref': {'name': 'fct_late_payment_interest'}}}) }}

{#- The still-open claims are the overdue B2B items of the ageing: every B2B item of
    fct_ar_ageing past its due date at the as-of snapshot has a fct_late_payment_interest row
    with the same open amount and settled_on null, and every open row of the mart is such an
    item. Returns the invoices that do not tie. -#}
with

claims as (

    select
        invoice_id,
        open_amount
    from {{ ref('fct_late_payment_interest') }}
    where settled_on is null

),

overdue as (

    select
        invoice_id,
        open_amount
    from {{ ref('fct_ar_ageing') }}
    where
        snapshot_date = {{ as_of_date() }}
        and segment = 'B2B'
        and days_past_due > 0

),

final as (

    select
        coalesce(claims.invoice_id, overdue.invoice_id) as invoice_id,
        claims.open_amount as claim_open_amount,
        overdue.open_amount as ageing_open_amount
    from claims
    full outer join overdue on claims.invoice_id = overdue.invoice_id
    where
        claims.invoice_id is null
        or overdue.invoice_id is null
        or claims.open_amount <> overdue.open_amount

)

select * from final
