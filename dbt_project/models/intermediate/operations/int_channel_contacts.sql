{#- One row per outbound contact (a call or message on a case dated up to as_of,
    int_ops_case_contacts; inbound contacts are the debtor's doing and count nowhere), with the
    dimensions fct_channel_effectiveness groups it by and the promises it yielded: the rules'
    one home for a contact (read by int_channel_payments for the contact a payment is
    attributed to).
      debtor_id     the case's debtor (the contact's own debtor_id for a case missing from
                    the cases feed)
      period_month  first day of the contact's UTC month
      template_id   the message's template; `none` for calls and messages without one
      segment       the debtor's segment (macro finance_segment: `unknown` without a customer
                    record)
      stage         the case's state at the contact (int_ops_case_stays: a stage, `reopened`
                    or `closed`); `none` before the case's first stage event
      is_right_party_contact
                    a call that reached the debtor (int_ops_case_contacts); never a message
      promises      promises (fct_promises) each attributed to the last outbound contact on its
                    case at or before its made_at (latest contact_at, then contact_kind and
                    contact_id descending), when that contact was at most 7 days before (made
                    date - contact date <= 7); others count nowhere

    Incremental by debtor and date (delete+insert by contact; loaded_at: the newest raw load
    its build had seen). The restatement window (macros/channel_restatements.sql): a daily
    build rewrites every contact of each debtor the new files touch dated on or after the
    earliest date they can change it: a contact, stage or promise event from 7 days before its
    date (old and new), a new case or a case moved to another debtor from 7 days before its
    first contact, a changed segment the whole history; and the contacts and promises dated
    after the latest day it holds (a later as_of). It reads no contact before that date: a
    promise goes to the LAST contact before it, so an earlier one never takes a promise from
    a contact of the window. A held contact of that scope the new data no longer
    yields (moved to another date before the window, made inbound, dated after as_of) is
    withdrawn (null loaded_at; the post-hook deletes it). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['contact_kind', 'contact_id'],
    on_schema_change='fail',
    post_hook="{{ remove_withdrawn_rows() }}"
) }}
-- depends_on: {{ ref('int_payment_allocations_dated') }}, {{ ref('stg_erp__invoices') }}
-- depends_on: {{ ref('stg_bank__entries') }}
with

{%- if is_incremental() %}

restated as (

    {{ channel_debtors_restated_since_last_build('contact_date') }}

),
{%- endif %}

contacts_in as (

    select * from {{ ref('int_ops_case_contacts') }}
    where direction = 'outbound'

),

stays as (

    select * from {{ ref('int_ops_case_stays') }}

),

cases as (

    select * from {{ ref('stg_cases__cases') }}

),

customers as (

    select * from {{ ref('stg_erp__customers') }}

),

promises as (

    select * from {{ ref('fct_promises') }}

),

outbound as (

    {#- Each contact with its debtor, restricted on a daily build to the restated scope before
        the stays are joined. -#}
    select
        contacts_in.*,
        coalesce(cases.debtor_id, contacts_in.debtor_id) as contact_debtor_id
    from contacts_in
    left join cases
        on contacts_in.case_id = cases.case_id
    {{ restated_channel_debtors(
        'coalesce(cases.debtor_id, contacts_in.debtor_id)', 'contacts_in.contact_date'
    ) }}

),

contacts as (

    select
        outbound.contact_kind,
        outbound.contact_id,
        outbound.case_id,
        outbound.contact_debtor_id as debtor_id,
        outbound.channel,
        coalesce(outbound.template_id, 'none') as template_id,
        outbound.contact_at,
        outbound.contact_date,
        outbound.is_right_party_contact,
        cast({{ dbt.date_trunc('month', 'outbound.contact_date') }} as date) as period_month,
        {{ finance_segment('customers.segment') }} as segment,
        coalesce(stays.state, 'none') as stage
    from outbound
    left join customers
        on outbound.contact_debtor_id = customers.debtor_id
    left join stays
        on
            outbound.case_id = stays.case_id
            and outbound.contact_at >= stays.entered_at
            and (stays.left_at is null or outbound.contact_at < stays.left_at)

),

promise_contacts as (

    select
        promises.promise_id,
        contacts.contact_kind,
        contacts.contact_id,
        {{ ops_latest_contact_first('promises.promise_id') }} as recency
    from promises
    inner join contacts
        on
            promises.case_id = contacts.case_id
            and promises.made_at >= contacts.contact_at
            and cast({{ dbt.dateadd('day', -7, 'cast(promises.made_at as date)') }} as date)
            <= contacts.contact_date

),

promises_attributed as (

    select
        contact_kind,
        contact_id,
        count(*) as promises
    from promise_contacts
    where recency = 1
    group by contact_kind, contact_id

),

final as (

    select
        contacts.contact_kind,
        contacts.contact_id,
        contacts.case_id,
        contacts.debtor_id,
        contacts.contact_at,
        contacts.contact_date,
        contacts.period_month,
        contacts.channel,
        contacts.template_id,
        contacts.segment,
        contacts.stage,
        contacts.is_right_party_contact,
        cast(coalesce(promises_attributed.promises, 0) as integer) as promises,
        {{ newest_raw_load(channel_raw_inputs()) }} as loaded_at
    from contacts
    left join promises_attributed
        on
            contacts.contact_kind = promises_attributed.contact_kind
            and contacts.contact_id = promises_attributed.contact_id

)
{%- if is_incremental() %},

-- Held rows of the restated scope that this build does not write again: withdrawn.
withdrawn as (

    {{ withdrawn_rows(
        'true', ['contact_kind', 'contact_id'],
        restated_channel_debtors('held_rows.debtor_id', 'held_rows.contact_date')
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
