{#- Channel effectiveness (issue "What will happen and what works"): what the outbound contacts
    of each channel and template yielded, per month of the contact, debtor segment and the
    case's stage at the contact. One row per period_month, channel, template_id, segment and
    stage with at least one contact; a month without contacts has no row.
      contacts              outbound calls and messages on a case dated up to as_of
                            (int_ops_case_contacts); inbound contacts are the debtor's doing,
                            not a channel chosen by the collector, and count nowhere here
      channel               call, email, sms, letter, registered_letter or portal
      template_id           the message's template; `none` for calls and messages without one
      segment               the segment of the case's debtor (the contact's own debtor_id for a
                            case missing from the cases feed; macro finance_segment: `unknown`
                            without a customer record)
      stage                 the case's state at the contact (int_ops_case_stays: a stage,
                            `reopened` or `closed`); `none` before the case's first stage event
      right_party_contacts  calls that reached the debtor (int_ops_case_contacts: outcome
                            right_party_contact, promise_to_pay, refusal or dispute). A message
                            is never one: delivered or opened does not show who read it
      promises              promises (fct_promises) each attributed to the last outbound contact
                            on its case at or before its made_at, when that contact was at most
                            7 days before (made date - contact date <= 7); others count nowhere
      payments_7d/_30d, collected_7d_rc/_30d_rc
                            the debtor's payments (allocations to its invoices,
                            int_payment_allocations_dated, payment date up to as_of), each
                            attributed to the LAST outbound contact on any case of the debtor
                            dated on or before its payment date (latest contact_at, then
                            contact_kind and contact_id descending), so a payment counts once;
                            it counts in the 30-day figures when payment date - contact date
                            <= 30, and in the 7-day ones when <= 7 (a payment on the contact's
                            day is day 0). A payment with no outbound contact before it, or
                            whose last one is older than 30 days, is attributed to none.
                            payments_* count distinct payment_ref (a bank payment split over
                            invoices counts once); collected_*_rc sum the allocated amounts in
                            reporting currency at the rate of the latest rate_date on or before
                            the payment date, null when one of them has no rate
                            (allocations_without_rate counts the 30-day allocations without)
      cost_per_contact      var channels.cost_per_contact[channel] (config/amicable.yml section
                            channels; reporting currency), null for a channel not configured
      cost_rc               contacts × cost_per_contact
      cost_per_collected_unit
                            cost_rc ÷ collected_30d_rc (6 decimals: a cent of SMS per thousand
                            collected still shows): the cost of collecting one unit of
                            reporting currency; null when the cost is unconfigured or
                            nothing (or an unknown amount) was collected
      is_window_complete    as_of is at least 30 days after the period's last day: every
                            contact of the row has had its full 30 days (else the figures can
                            still grow)
    A table rebuilt by every build (not incremental: a payment re-attributes the contacts of
    earlier months, and the grain is small). -#}
{%- set channels_cfg = ops_config('channels', ['cost_per_contact']) -%}
{%- set costs = channels_cfg['cost_per_contact'] or {} -%}
with

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

invoices as (

    select * from {{ ref('stg_erp__invoices') }}

),

allocations as (

    select * from {{ ref('int_payment_allocations_dated') }}
    where payment_date <= {{ as_of_date() }}

),

fx_rates as (

    select * from {{ ref('stg_fx__rates') }}

),

contacts as (

    select
        contacts_in.contact_kind,
        contacts_in.contact_id,
        contacts_in.case_id,
        coalesce(cases.debtor_id, contacts_in.debtor_id) as debtor_id,
        contacts_in.channel,
        coalesce(contacts_in.template_id, 'none') as template_id,
        contacts_in.contact_at,
        contacts_in.contact_date,
        contacts_in.is_right_party_contact,
        cast({{ dbt.date_trunc('month', 'contacts_in.contact_date') }} as date) as period_month,
        {{ finance_segment('customers.segment') }} as segment,
        coalesce(stays.state, 'none') as stage
    from contacts_in
    left join cases
        on contacts_in.case_id = cases.case_id
    left join customers
        on coalesce(cases.debtor_id, contacts_in.debtor_id) = customers.debtor_id
    left join stays
        on
            contacts_in.case_id = stays.case_id
            and contacts_in.contact_at >= stays.entered_at
            and (stays.left_at is null or contacts_in.contact_at < stays.left_at)

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

),

payment_contacts as (

    select
        payments.allocation_id,
        payments.payment_ref,
        payments.payment_date,
        payments.allocated_amount,
        payments.currency,
        contacts.contact_kind,
        contacts.contact_id,
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

payment_dates as (

    select distinct payment_date from payment_contacts
    where recency = 1

),

fx_on_dates as (

    {{ fx_rates_on_dates('payment_dates', 'payment_date', 'fx_rates') }}

),

payments_attributed as (

    select
        payment_contacts.contact_kind,
        payment_contacts.contact_id,
        payment_contacts.payment_ref,
        payment_contacts.days_after_contact,
        round(payment_contacts.allocated_amount * fx_on_dates.rate_to_reporting, 2)
            as allocated_amount_rc
    from payment_contacts
    left join fx_on_dates
        on
            payment_contacts.payment_date = fx_on_dates.payment_date
            and payment_contacts.currency = fx_on_dates.currency
    where payment_contacts.recency = 1

),

attributed as (

    select
        contacts.period_month,
        contacts.channel,
        contacts.template_id,
        contacts.segment,
        contacts.stage,
        payments_attributed.payment_ref,
        payments_attributed.days_after_contact,
        payments_attributed.allocated_amount_rc
    from payments_attributed
    inner join contacts
        on
            payments_attributed.contact_kind = contacts.contact_kind
            and payments_attributed.contact_id = contacts.contact_id

),

collected as (

    select
        period_month,
        channel,
        template_id,
        segment,
        stage,
        count(distinct case when days_after_contact <= 7 then payment_ref end) as payments_7d,
        count(case when days_after_contact <= 7 then 1 end)
        - count(case when days_after_contact <= 7 then allocated_amount_rc end)
            as allocations_7d_without_rate,
        sum(case when days_after_contact <= 7 then allocated_amount_rc end) as collected_7d_rc,
        count(distinct payment_ref) as payments_30d,
        count(*) - count(allocated_amount_rc) as allocations_without_rate,
        sum(allocated_amount_rc) as collected_30d_rc
    from attributed
    group by period_month, channel, template_id, segment, stage

),

contacted as (

    select
        contacts.period_month,
        contacts.channel,
        contacts.template_id,
        contacts.segment,
        contacts.stage,
        count(*) as contacts,
        sum(case when contacts.is_right_party_contact then 1 else 0 end) as right_party_contacts,
        sum(coalesce(promises_attributed.promises, 0)) as promises
    from contacts
    left join promises_attributed
        on
            contacts.contact_kind = promises_attributed.contact_kind
            and contacts.contact_id = promises_attributed.contact_id
    group by
        contacts.period_month,
        contacts.channel,
        contacts.template_id,
        contacts.segment,
        contacts.stage

),

measured as (

    select
        contacted.*,
        coalesce(collected.payments_7d, 0) as payments_7d,
        case
            when coalesce(collected.allocations_7d_without_rate, 0) = 0
                then coalesce(collected.collected_7d_rc, 0)
        end as collected_7d_rc,
        coalesce(collected.payments_30d, 0) as payments_30d,
        case
            when coalesce(collected.allocations_without_rate, 0) = 0
                then coalesce(collected.collected_30d_rc, 0)
        end as collected_30d_rc,
        coalesce(collected.allocations_without_rate, 0) as allocations_without_rate,
        {%- if costs %}
        case contacted.channel
            {%- for channel, cost in costs.items() | sort %}
            when '{{ channel }}' then {{ cost | float }}
            {%- endfor %}
        end
        {%- else %}
        cast(null as decimal(18, 4))
        {%- endif %} as cost_per_contact
    from contacted
    left join collected
        on
            contacted.period_month = collected.period_month
            and contacted.channel = collected.channel
            and contacted.template_id = collected.template_id
            and contacted.segment = collected.segment
            and contacted.stage = collected.stage

),

final as (

    select
        period_month,
        channel,
        template_id,
        segment,
        stage,
        cast(contacts as integer) as contacts,
        cast(right_party_contacts as integer) as right_party_contacts,
        cast(promises as integer) as promises,
        cast(payments_7d as integer) as payments_7d,
        cast(collected_7d_rc as decimal(18, 2)) as collected_7d_rc,
        cast(payments_30d as integer) as payments_30d,
        cast(collected_30d_rc as decimal(18, 2)) as collected_30d_rc,
        cast(allocations_without_rate as integer) as allocations_without_rate,
        cast(cost_per_contact as decimal(18, 4)) as cost_per_contact,
        cast(round(contacts * cost_per_contact, 2) as decimal(18, 2)) as cost_rc,
        cast(
            round(
                {{ finance_safe_divide('round(contacts * cost_per_contact, 2)', 'collected_30d_rc') }},
                6
            ) as {{ finance_type_double() }}
        ) as cost_per_collected_unit,
        case
            when
                cast({{ dbt.dateadd('day', 30, dbt.last_day('period_month', 'month')) }} as date)
                <= {{ as_of_date() }}
                then true
            else false
        end as is_window_complete,
        cast({{ reporting_currency() }} as {{ dbt.type_string() }}) as reporting_currency
    from measured

)

select * from final
