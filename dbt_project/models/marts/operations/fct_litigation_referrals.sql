{#- One row per referral to litigation (DESIGN.md §4 "Litigation referral"), with what happened
    on the case before it (strictly before referred_at): contacts (calls and messages, either
    direction), call attempts (outbound calls), right-party contacts (those attempts that reached
    the debtor, as in fct_agent_daily: an inbound conversation is not one), promises made and,
    of those, broken with a window ended before the referral date, disputes opened.
      days_to_referral   = referred date - opened date (UTC calendar days)
      referred_amount_rc = round(referred_amount × rate of the latest rate_date on or before
                           the referred date, 2); null without a rate. -#}
with

events as (

    select * from {{ ref('stg_cases__case_events') }}
    where cast(occurred_at as date) <= {{ as_of_date() }}

),

status as (

    select * from {{ ref('int_ops_case_status') }}

),

contacts as (

    select * from {{ ref('int_ops_case_contacts') }}

),

promises as (

    select * from {{ ref('fct_promises') }}

),

owners as (

    select * from {{ ref('int_ops_case_owners') }}

),

fx_rates as (

    select * from {{ ref('stg_fx__rates') }}

),

referrals as (

    select
        event_id as referral_id,
        case_id,
        occurred_at as referred_at,
        cast(occurred_at as date) as referred_date,
        event_amount as referred_amount,
        event_currency as currency,
        reason as referral_reason,
        actor_id as referred_by
    from events
    where event_type = 'referred_to_litigation'

),

contact_counts as (

    select
        referrals.referral_id,
        count(*) as contacts_before,
        sum(case when contacts.is_call_attempt then 1 else 0 end) as call_attempts_before,
        sum(
            case when contacts.is_call_attempt and contacts.is_right_party_contact then 1 else 0 end
        ) as right_party_contacts_before
    from referrals
    inner join contacts
        on
            referrals.case_id = contacts.case_id
            and referrals.referred_at > contacts.contact_at
    group by referrals.referral_id

),

promise_counts as (

    select
        referrals.referral_id,
        count(*) as promises_made_before,
        sum(
            case
                when promises.outcome = 'broken' and promises.window_end_date < referrals.referred_date
                    then 1
                else 0
            end
        ) as promises_broken_before
    from referrals
    inner join promises
        on
            referrals.case_id = promises.case_id
            and referrals.referred_at > promises.made_at
    group by referrals.referral_id

),

dispute_counts as (

    select
        referrals.referral_id,
        count(*) as disputes_opened_before
    from referrals
    inner join events
        on
            referrals.case_id = events.case_id
            and events.event_type = 'dispute_opened'
            and referrals.referred_at > events.occurred_at
    group by referrals.referral_id

),

referral_dates as (

    select distinct referred_date from referrals

),

fx_on_dates as (

    {{ fx_rates_on_dates('referral_dates', 'referred_date', 'fx_rates') }}

),

final as (

    select
        referrals.referral_id,
        referrals.case_id,
        referrals.referred_at,
        cast(
            round(referrals.referred_amount * fx_on_dates.rate_to_reporting, 2) as decimal(18, 2)
        ) as referred_amount_rc,
        cast(
            {{ dbt.datediff('cast(status.opened_at as date)', 'referrals.referred_date', 'day') }}
            as integer
        ) as days_to_referral,
        status.strategy,
        cast(referrals.referred_amount as decimal(18, 2)) as referred_amount,
        referrals.currency,
        referrals.referral_reason,
        status.debtor_id,
        status.segment,
        status.jurisdiction,
        owners.agent_id,
        status.opened_at,
        cast(status.placed_amount as decimal(18, 2)) as placed_amount,
        cast(coalesce(contact_counts.contacts_before, 0) as integer) as contacts_before,
        cast(coalesce(contact_counts.call_attempts_before, 0) as integer)
            as call_attempts_before,
        cast(coalesce(contact_counts.right_party_contacts_before, 0) as integer)
            as right_party_contacts_before,
        cast(coalesce(promise_counts.promises_made_before, 0) as integer)
            as promises_made_before,
        cast(coalesce(promise_counts.promises_broken_before, 0) as integer)
            as promises_broken_before,
        cast(coalesce(dispute_counts.disputes_opened_before, 0) as integer)
            as disputes_opened_before,
        cast(fx_on_dates.rate_to_reporting as decimal(24, 10)) as fx_rate
    from referrals
    inner join status
        on referrals.case_id = status.case_id
    left join owners
        on
            referrals.case_id = owners.case_id
            and referrals.referred_at >= owners.owned_from
            and (owners.owned_to is null or referrals.referred_at < owners.owned_to)
    left join contact_counts
        on referrals.referral_id = contact_counts.referral_id
    left join promise_counts
        on referrals.referral_id = promise_counts.referral_id
    left join dispute_counts
        on referrals.referral_id = dispute_counts.referral_id
    left join fx_on_dates
        on
            referrals.referred_date = fx_on_dates.referred_date
            and referrals.currency = fx_on_dates.currency

)

select * from final
