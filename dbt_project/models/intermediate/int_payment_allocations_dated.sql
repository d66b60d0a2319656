with

payment_allocations as (

    select * from {{ ref('stg_erp__payment_allocations') }}

),

bank_entries as (

    {#- only payments received date an allocation: never a debit or a reversal -#}
    select * from {{ ref('stg_bank__entries') }}
    where is_payment

),

dated as (

    select
        payment_allocations.allocation_id,
        payment_allocations.payment_ref,
        payment_allocations.invoice_id,
        payment_allocations.allocated_amount,
        payment_allocations.allocated_at,
        bank_entries.value_date as bank_value_date,
        coalesce(
            bank_entries.value_date,
            cast(payment_allocations.allocated_at as date)
        ) as payment_date,
        case
            when bank_entries.entry_ref is not null then true else false
        end as has_bank_entry
    from payment_allocations
    left join bank_entries
        on payment_allocations.payment_ref = bank_entries.entry_ref

),

final as (

    select * from dated

)

select * from final
