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
    The attribution is done once per record in two incremental intermediates, restated by
    debtor from the earliest date the night's files can change (macros/channel_restatements.sql):
    int_channel_contacts (one row per outbound contact with its dimensions and promises) and
    int_channel_payments (one row per attributed allocation with its contact's dimensions).
    This table aggregates them, rebuilt by every build: its counts of distinct payment_ref do
    not add up across restated rows, is_window_complete moves with as_of, and it converts the
    amounts at the payment date's rate here, so a corrected FX rate restates nothing upstream. -#}
{%- set channels_cfg = ops_config('channels', ['cost_per_contact']) -%}
{%- set costs = channels_cfg['cost_per_contact'] or {} -%}
with

contacts as (

    select * from {{ ref('int_channel_contacts') }}

),

payments_attributed as (

    select * from {{ ref('int_channel_payments') }}

),

fx_rates as (

    select * from {{ ref('stg_fx__rates') }}

),

payment_dates as (

    select distinct payment_date from payments_attributed

),

fx_on_dates as (

    {{ fx_rates_on_dates('payment_dates', 'payment_date', 'fx_rates') }}

),

attributed as (

    select
        payments_attributed.period_month,
        payments_attributed.channel,
        payments_attributed.template_id,
        payments_attributed.segment,
        payments_attributed.stage,
        payments_attributed.payment_ref,
        payments_attributed.days_after_contact,
        round(payments_attributed.allocated_amount * fx_on_dates.rate_to_reporting, 2)
            as allocated_amount_rc
    from payments_attributed
    left join fx_on_dates
        on
            payments_attributed.payment_date = fx_on_dates.payment_date
            and payments_attributed.currency = fx_on_dates.currency

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
        sum(contacts.promises) as promises
    from contacts
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
            {{ round_double(
                finance_safe_divide('round(contacts * cost_per_contact, 2)', 'collected_30d_rc'),
                6
            ) }} as {{ finance_type_double() }}
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
