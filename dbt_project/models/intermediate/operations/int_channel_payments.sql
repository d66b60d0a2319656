{#- One row per payment allocation (int_payment_allocations_dated, payment date up to as_of, to
    an invoice of the debtor) attributed to an outbound contact, with that contact's
    dimensions (int_channel_contacts), for fct_channel_effectiveness: each allocation goes to
    the LAST outbound contact on any case of its invoice's debtor dated on or before its
    payment date (latest contact_at, then contact_kind and contact_id descending), so a payment
    counts once, when that contact is at most 30 days before it (days_after_contact = payment
    date - contact date <= 30; a payment on the contact's day is day 0). An allocation with no
    outbound contact before it, or whose last one is older than 30 days, has no row.
    allocated_amount is in the invoice's currency (the mart converts at the payment date's
    rate: a corrected rate restates nothing here).

    Incremental by debtor and date (delete+insert by allocation; loaded_at: the newest raw
    load its build had seen), on the restatement window of int_channel_contacts
    (macros/channel_restatements.sql): a daily build rewrites every allocation of each debtor
    the new files touch dated on or after the earliest date they can change it (a contact or
    its stage or segment changes the allocations from its date on, an allocation, bank entry
    or invoice the payments from their own payment day), and the allocations dated after the
    latest day it holds (a later as_of). The contacts it reads go back 30 days further (a
    payment's candidates). A held allocation of that scope the new data no longer attributes
    is withdrawn (null loaded_at; the post-hook deletes it). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='allocation_id',
    on_schema_change='fail',
    post_hook="{{ remove_withdrawn_rows() }}"
) }}
-- depends_on: {{ ref('int_ops_case_contacts') }}, {{ ref('fct_promises') }}
-- depends_on: {{ ref('stg_cases__cases') }}, {{ ref('stg_bank__entries') }}
with

{%- if is_incremental() %}

restated as (

    {{ channel_debtors_restated_since_last_build('payment_date') }}

),
{%- endif %}

contacts as (

    select channel_contacts.* from {{ ref('int_channel_contacts') }} as channel_contacts
    {{ restated_channel_debtors('channel_contacts.debtor_id', 'channel_contacts.contact_date', 30) }}

),

invoices as (

    select * from {{ ref('stg_erp__invoices') }}

),

allocations as (

    select * from {{ ref('int_payment_allocations_dated') }}
    where payment_date <= {{ as_of_date() }}

),

payments as (

    select
        allocations.allocation_id,
        allocations.payment_ref,
        allocations.payment_date,
        allocations.allocated_amount,
        invoices.debtor_id,
        invoices.currency
    from allocations
    inner join invoices
        on allocations.invoice_id = invoices.invoice_id
    {{ restated_channel_debtors('invoices.debtor_id', 'allocations.payment_date') }}

),

payment_contacts as (

    select
        payments.allocation_id,
        payments.payment_ref,
        payments.payment_date,
        payments.allocated_amount,
        payments.currency,
        payments.debtor_id,
        contacts.contact_kind,
        contacts.contact_id,
        contacts.period_month,
        contacts.channel,
        contacts.template_id,
        contacts.segment,
        contacts.stage,
        {{ dbt.datediff('contacts.contact_date', 'payments.payment_date', 'day') }}
            as days_after_contact,
        {{ ops_latest_contact_first('payments.allocation_id') }} as recency
    from payments
    inner join contacts
        on
            payments.debtor_id = contacts.debtor_id
            and payments.payment_date >= contacts.contact_date
            and cast({{ dbt.dateadd('day', -30, 'payments.payment_date') }} as date)
            <= contacts.contact_date

),

final as (

    select
        allocation_id,
        payment_ref,
        debtor_id,
        payment_date,
        cast(allocated_amount as decimal(18, 2)) as allocated_amount,
        currency,
        contact_kind,
        contact_id,
        cast(days_after_contact as integer) as days_after_contact,
        period_month,
        channel,
        template_id,
        segment,
        stage,
        {{ newest_raw_load(channel_raw_inputs()) }} as loaded_at
    from payment_contacts
    where recency = 1

)
{%- if is_incremental() %},

-- Held rows of the restated scope that this build does not write again: withdrawn.
withdrawn as (

    {{ withdrawn_rows(
        'true', ['allocation_id'],
        restated_channel_debtors('held_rows.debtor_id', 'held_rows.payment_date')
    ) }}

),

batch as (

    select * from final
    union all
    select * from withdrawn

)

select * from batch
{%- else %}

select * from final
{%- endif %}
