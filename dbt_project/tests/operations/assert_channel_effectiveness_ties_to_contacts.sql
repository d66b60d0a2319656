{{ config(meta={'dagster': {'ref': {'name': 'fct_channel_effectiveness'}}}) }}

{#- Channel effectiveness counts the contacts it starts from, and no payment or promise twice:
    per month, its contacts and right-party contacts equal the outbound contacts and outbound
    right-party calls of int_ops_case_contacts; over all months, its 30-day payments are at
    most the distinct payments dated up to as_of, and its promises at most fct_promises'
    promises. Returns what does not tie. -#}
with

channels as (

    select * from {{ ref('fct_channel_effectiveness') }}

),

outbound as (

    select * from {{ ref('int_ops_case_contacts') }}
    where direction = 'outbound'

),

by_month as (

    select
        period_month,
        sum(contacts) as contacts,
        sum(right_party_contacts) as right_party_contacts
    from channels
    group by period_month

),

contacted as (

    select
        cast({{ dbt.date_trunc('month', 'contact_date') }} as date) as period_month,
        count(*) as contacts,
        sum(case when is_right_party_contact then 1 else 0 end) as right_party_contacts
    from outbound
    group by cast({{ dbt.date_trunc('month', 'contact_date') }} as date)

),

untied as (

    select
        coalesce(by_month.period_month, contacted.period_month) as period_month,
        'contacts or right-party contacts differ from int_ops_case_contacts' as problem
    from by_month
    full outer join contacted
        on by_month.period_month = contacted.period_month
    where
        by_month.contacts is distinct from contacted.contacts
        or by_month.right_party_contacts is distinct from contacted.right_party_contacts

),

payments as (

    select count(distinct payment_ref) as payments
    from {{ ref('int_payment_allocations_dated') }}
    where payment_date <= {{ as_of_date() }}

),

promises as (

    select count(*) as promises
    from {{ ref('fct_promises') }}

),

overcounted as (

    select
        cast(null as date) as period_month,
        'more payments or promises attributed than there are' as problem
    from channels
    having
        coalesce(sum(channels.payments_30d), 0) > (select payments.payments from payments)
        or coalesce(sum(channels.promises), 0) > (select promises.promises from promises)

),

final as (

    select * from untied
    union all
    select * from overcounted

)

select * from final
