{#- Each payment allocation with its payment date (DESIGN.md §4 Ageing): the value date of the
    bank payment it points to, else the date part of allocated_at.

    Incremental (delete+insert by allocation_id). `loaded_at` is the newest `_loaded_at` of the
    two staging inputs when a row was written (newest_raw_load). A row depends on its
    allocation and on the bank entry its payment_ref names, nothing else (no as-of date), so a
    daily build rewrites the allocations loaded since the latest `loaded_at` it holds
    (last_build_load: new, corrected or re-sent) and those whose payment_ref names a bank
    entry loaded since (new, corrected, or turned into a debit or a reversal). Staging keeps
    every allocation it ever loaded, so no row leaves the model. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='allocation_id',
    on_schema_change='fail'
) }}
{%- set inputs = [ref('stg_erp__payment_allocations'), ref('stg_bank__entries')] %}
with

payment_allocations as (

    select * from {{ ref('stg_erp__payment_allocations') }}
    {%- if is_incremental() %}
    where
        _loaded_at > {{ last_build_load() }}
        or payment_ref in (
            select loaded_entries.entry_ref
            from {{ ref('stg_bank__entries') }} as loaded_entries
            where loaded_entries._loaded_at > {{ last_build_load() }}
        )
    {%- endif %}

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
        end as has_bank_entry,
        {{ newest_raw_load(inputs) }} as loaded_at
    from payment_allocations
    left join bank_entries
        on payment_allocations.payment_ref = bank_entries.entry_ref

),

final as (

    select * from dated

)

select * from final
