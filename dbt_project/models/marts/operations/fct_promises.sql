{#- One row per promise to pay (DESIGN.md §4 "Promises"). The payments that count are the dated
    allocations (int_payment_allocations_dated.payment_date) to the case's debtor's invoices in
    the promise's currency (an allocation is in its invoice's currency; payments in another
    currency are left out, never converted: DESIGN.md compares them with the promised amount,
    and paid_amount is in the promise's currency), with a payment date from made_at's date to
    window_end_date, both included, and not after as_of.
      window_end_date = promised_date + grace_days, or, when a newer promise on the same case is
                        made on or before that day, the day before the newer one was made: the
                        newer promise supersedes (is_replaced) and the payments from its made
                        date count toward it alone, never toward both. A promise replaced on the
                        day it was made has an empty window (has_window false: the scores leave
                        it out, neither kept nor broken, as it never had a day to be kept).
    Outcome, in this order:
      kept            paid_amount >= promised_amount - tolerance_amount (even while the window
                      is still open: a promise met early is kept at once);
      pending         the window is still open on as_of (as_of <= window_end_date);
      partially_kept  0 < paid_amount < promised_amount - tolerance_amount;
      broken          nothing paid in the window.
    tolerance_amount = max(tolerance_pct % of promised_amount rounded to cents, tolerance_units)
    (var promises), in exact decimals rounded half away from zero (DuckDB divides decimals in
    floating point, where 1 % of 100.50 is 1.00499... and rounds to 1.00, not 1.01). This is
    the generator's rule (sample_data.simulate.promise_outcome, its window cut by
    sample_data.emit the same way).
    follow_up_at: for a broken or partially kept promise, the first call or message on the case
    (either direction, int_ops_case_contacts, up to as_of) dated after window_end_date; null
    when none. The one follow-up rule of the stuck-case queue and the broken-promises page.
    days_since_window_end = as_of - window_end_date, in days (0 or less while the window is
    open). -#}
{#- The terms have no default here: a missing var or key fails the compile (ops_config). -#}
{%- set promises_cfg = ops_config(
    'promises', ['grace_days', 'tolerance_pct', 'tolerance_units']
) -%}
{%- set grace_days = promises_cfg['grace_days'] | int -%}
{%- set tolerance_pct = promises_cfg['tolerance_pct'] | float -%}
{%- set tolerance_units = promises_cfg['tolerance_units'] | float -%}
{#- tolerance_pct % of the promised amount in exact decimals, rounded to cents -#}
{%- set pct_of_amount -%}
    round(
        cast(events.event_amount as decimal(38, 2))
        * cast({{ tolerance_pct / 100 }} as decimal(12, 8)),
        2
    )
{%- endset -%}

with

events as (

    select * from {{ ref('stg_cases__case_events') }}

),

cases as (

    select * from {{ ref('stg_cases__cases') }}

),

customers as (

    select * from {{ ref('stg_erp__customers') }}

),

agents as (

    select * from {{ ref('stg_cases__agents') }}

),

invoices as (

    select * from {{ ref('stg_erp__invoices') }}

),

allocations as (

    select * from {{ ref('int_payment_allocations_dated') }}

),

fx_rates as (

    select * from {{ ref('stg_fx__rates') }}

),

contacts as (

    select * from {{ ref('int_ops_case_contacts') }}

),

made as (

    select
        events.promise_id,
        events.event_id,
        events.case_id,
        cases.debtor_id,
        events.actor_id as agent_id,
        events.occurred_at as made_at,
        cast(events.occurred_at as date) as made_date,
        events.promised_date,
        events.event_amount as promised_amount,
        events.event_currency as currency,
        cast({{ dbt.dateadd('day', grace_days, 'events.promised_date') }} as date)
            as promised_window_end_date,
        cast(
            case
                when {{ pct_of_amount }} > {{ tolerance_units }} then {{ pct_of_amount }}
                else {{ tolerance_units }}
            end as decimal(18, 2)
        ) as tolerance_amount,
        lead(events.promise_id) over (
            partition by events.case_id order by events.occurred_at, events.event_id
        ) as next_promise_id,
        lead(events.occurred_at) over (
            partition by events.case_id order by events.occurred_at, events.event_id
        ) as next_promise_made_at
    from events
    inner join cases
        on events.case_id = cases.case_id
    where
        events.event_type = 'promise_made'
        and events.promise_id is not null
        and cast(events.occurred_at as date) <= {{ as_of_date() }}

),

promises as (

    select
        made.*,
        case
            when
                next_promise_made_at is not null
                and cast(next_promise_made_at as date) <= promised_window_end_date
                then true
            else false
        end as is_replaced,
        case
            when
                next_promise_made_at is not null
                and cast(next_promise_made_at as date) <= promised_window_end_date
                then cast(
                    {{ dbt.dateadd('day', -1, 'cast(next_promise_made_at as date)') }} as date
                )
            else promised_window_end_date
        end as window_end_date
    from made

),

payments as (

    select
        promises.promise_id,
        sum(allocations.allocated_amount) as paid_amount,
        count(*) as payment_count,
        max(allocations.payment_date) as last_payment_date
    from promises
    inner join invoices
        on
            promises.debtor_id = invoices.debtor_id
            and promises.currency = invoices.currency
    inner join allocations
        on invoices.invoice_id = allocations.invoice_id
    where
        allocations.payment_date >= promises.made_date
        and allocations.payment_date <= promises.window_end_date
        and allocations.payment_date <= {{ as_of_date() }}
    group by promises.promise_id

),

measured as (

    select
        promises.*,
        coalesce(payments.paid_amount, 0) as paid_amount,
        coalesce(payments.payment_count, 0) as payment_count,
        payments.last_payment_date,
        case
            when
                coalesce(payments.paid_amount, 0)
                >= promises.promised_amount - promises.tolerance_amount
                then 'kept'
            when {{ as_of_date() }} <= promises.window_end_date then 'pending'
            when coalesce(payments.paid_amount, 0) > 0 then 'partially_kept'
            else 'broken'
        end as outcome,
        case
            when promises.promised_date < {{ as_of_date() }} then promises.promised_date
            else {{ as_of_date() }}
        end as fx_date
    from promises
    left join payments
        on promises.promise_id = payments.promise_id

),

follow_ups as (

    select
        measured.promise_id,
        min(contacts.contact_at) as follow_up_at
    from measured
    inner join contacts
        on
            measured.case_id = contacts.case_id
            and measured.window_end_date < contacts.contact_date
    where measured.outcome in ('broken', 'partially_kept')
    group by measured.promise_id

),

fx_dates as (

    select distinct fx_date from measured

),

fx_on_dates as (

    {{ fx_rates_on_dates('fx_dates', 'fx_date', 'fx_rates') }}

),

final as (

    select
        measured.promise_id,
        measured.case_id,
        measured.debtor_id,
        measured.agent_id,
        measured.made_at,
        measured.promised_date,
        cast(measured.promised_amount as decimal(18, 2)) as promised_amount,
        measured.currency,
        cast(measured.paid_amount as decimal(18, 2)) as paid_amount,
        measured.outcome,
        measured.window_end_date,
        coalesce(measured.window_end_date >= cast(measured.made_at as date), false)
            as has_window,
        measured.promised_window_end_date,
        {{ grace_days }} as grace_days,
        measured.tolerance_amount,
        cast(measured.payment_count as integer) as payment_count,
        measured.last_payment_date,
        cast(
            {{ dbt.date_trunc('month', 'measured.promised_date') }} as date
        ) as due_month,
        case when measured.outcome = 'pending' then false else true end as is_decided,
        measured.is_replaced,
        case when measured.is_replaced then measured.next_promise_id end
            as replaced_by_promise_id,
        cases.strategy,
        customers.segment,
        agents.team,
        {{ reporting_currency() }} as reporting_currency,
        cast(fx_on_dates.rate_to_reporting as decimal(24, 10)) as fx_rate,
        cast(
            round(measured.promised_amount * fx_on_dates.rate_to_reporting, 2) as decimal(18, 2)
        ) as promised_amount_rc,
        cast(
            round(measured.paid_amount * fx_on_dates.rate_to_reporting, 2) as decimal(18, 2)
        ) as paid_amount_rc,
        measured.event_id as promise_event_id,
        follow_ups.follow_up_at,
        cast(
            {{ dbt.datediff('measured.window_end_date', as_of_date(), 'day') }} as integer
        ) as days_since_window_end
    from measured
    inner join cases
        on measured.case_id = cases.case_id
    left join customers
        on measured.debtor_id = customers.debtor_id
    left join agents
        on measured.agent_id = agents.agent_id
    left join fx_on_dates
        on
            measured.fx_date = fx_on_dates.fx_date
            and measured.currency = fx_on_dates.currency
    left join follow_ups
        on measured.promise_id = follow_ups.promise_id

)

select * from final
