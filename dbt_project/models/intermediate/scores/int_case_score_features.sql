{#- Point-in-time features of a case on a date (issue 19), the one home of every feature rule
    of the case scores: one row per case open at the end of a feature date, for two kinds of
    date: the ageing's snapshot dates (every month end, and as_of: int_ageing_snapshot_dates),
    read by fct_case_score_features, and the eve of each promise's making (the day before its
    made_at date, so nothing of the promise's own day is a feature: neither its call nor a
    payment that day), read by fct_promise_score_features. is_snapshot_date tells them apart
    (a date may be both). Every feature reads only facts dated on or before the date (event,
    contact, payment value and document dates, never load times), so a row is what was known
    at the end of that day.
      open at S        the case's stay (int_ops_case_stays) running at the end of S is not
                       `closed`, and it opened on or before S;
      known by S       a payment counts once its allocation is posted (allocated_at) on or
                       before S, whatever its value date: fct_ar_balance_periods dates a payment
                       by its bank value date, so a payment of S posted the day after would
                       restate S's balance in a later build (tests/scores/test_point_in_time.py);
      debtor habits    the debtor's invoices due before S: the share settled (open amount 0 in
                       fct_ar_balance_periods, the settling payments posted by S) by their due
                       date, and the mean days late of those settled by S (0 when settled by
                       the due date);
      ageing           the debtor's open items at S (the balance period of
                       fct_ar_balance_periods containing S, macro balance_periods_on, with the
                       payments of S or before posted after S added back, an open amount above
                       zero; at the rate of S: the rule of fct_ar_ageing on any date): their
                       open amount in the reporting currency (items without a rate left out),
                       the largest days past due and its bucket;
      contacts         calls and messages on the case (int_ops_case_contacts) dated in the 30
                       days ending on S (S - 29 to S), right-party contacts among them;
      promises         promises on the case (fct_promises) whose window ended before S, by
                       outcome (kept; broken or partially kept), and a promise still running at S
                       (made on or before S, window ending on or after it); a promise without a
                       window (has_window false: replaced the day it was made) is none of them,
                       nor has it an eve (fct_promise_score_features leaves it out: one rule);
      debtor kept rate of the debtor's promises (every case) whose window ended before S, the
                       share kept; null when none (not a feature: a baseline of the scores);
      dispute          a dispute_opened event on or before S without its dispute_resolved event
                       on or before S;
      stage            the state of the running stay (a stage, or `reopened`) and the days since
                       it was entered.

    Incremental (delete+insert by case_id and scoring_date; loaded_at: the newest raw load its
    build had seen). A daily build writes every case's rows of the dates from the last as_of
    on, and each debtor a new or corrected record touches from the earliest date it can change
    (the scope: macros/score_feature_restatements.sql); a held row of that scope it no longer
    yields is withdrawn (null loaded_at; the post-hook remove_withdrawn_rows deletes it). -#}
-- depends_on: {{ source('raw', 'cases_cases') }}, {{ source('raw', 'cases_case_events') }}
-- depends_on: {{ source('raw', 'contacts_calls') }}, {{ source('raw', 'contacts_messages') }}
-- depends_on: {{ source('raw', 'erp_invoices') }}, {{ source('raw', 'erp_customers') }}
-- depends_on: {{ source('raw', 'erp_payment_allocations') }}, {{ source('raw', 'bank_entries') }}
-- depends_on: {{ source('raw', 'fx_rates') }}, {{ ref('stg_erp__invoices') }}
-- depends_on: {{ ref('stg_erp__payment_allocations') }}, {{ ref('stg_bank__entries') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['case_id', 'scoring_date'],
    on_schema_change='fail',
    post_hook="{{ remove_withdrawn_rows() }}"
) }}
with

{%- if is_incremental() %}

{% call staged_cte('restated_debtors') %}
    {{ score_feature_debtors_restated_since_last_build() }}
{% endcall %},

{% call staged_cte('restated_dates') %}
    {{ score_feature_dates_restated_since_last_build() }}
{% endcall %},
{%- endif %}

snapshot_dates as (

    select snapshot_date as feature_date
    from {{ ref('int_ageing_snapshot_dates') }}

),

promise_eves as (

    select
        case_id,
        cast({{ dbt.dateadd('day', -1, 'cast(made_at as date)') }} as date) as feature_date
    from {{ ref('fct_promises') }}
    where has_window

),

cases as (

    select * from {{ ref('stg_cases__cases') }}

),

customers as (

    select * from {{ ref('stg_erp__customers') }}

),

stays as (

    select * from {{ ref('int_ops_case_stays') }}

),

events as (

    select * from {{ ref('stg_cases__case_events') }}
    where cast(occurred_at as date) <= {{ as_of_date() }}

),

contacts as (

    select * from {{ ref('int_ops_case_contacts') }}

),

promises as (

    select * from {{ ref('fct_promises') }}
    where has_window

),

balance_periods as (

    select * from {{ ref('fct_ar_balance_periods') }}

),

allocations as (

    select * from {{ ref('int_payment_allocations_dated') }}

),

fx_rates as (

    select * from {{ ref('stg_fx__rates') }}

),

case_feature_dates as (

    select
        cases.case_id,
        snapshot_dates.feature_date,
        true as is_snapshot_date
    from cases
    inner join snapshot_dates
        on cast(cases.opened_at as date) <= snapshot_dates.feature_date
    union all
    select
        cases.case_id,
        promise_eves.feature_date,
        false as is_snapshot_date
    from cases
    inner join promise_eves
        on
            cases.case_id = promise_eves.case_id
            and cast(cases.opened_at as date) <= promise_eves.feature_date

),

case_dates as (

    select
        cases.case_id,
        cases.debtor_id,
        cases.strategy,
        cases.opened_at,
        case_feature_dates.feature_date as scoring_date,
        bool_or(case_feature_dates.is_snapshot_date) as is_snapshot_date
    from cases
    inner join case_feature_dates
        on cases.case_id = case_feature_dates.case_id
    {%- if is_incremental() %}
    where {{ in_restated_score_features('cases.debtor_id', 'case_feature_dates.feature_date') }}
    {%- endif %}
    group by
        cases.case_id,
        cases.debtor_id,
        cases.strategy,
        cases.opened_at,
        case_feature_dates.feature_date

),

stays_at_date as (

    select
        case_dates.case_id,
        case_dates.scoring_date,
        stays.state,
        stays.entered_at
    from case_dates
    inner join stays
        on
            case_dates.case_id = stays.case_id
            and cast(stays.entered_at as date) <= case_dates.scoring_date
            and (
                stays.left_at is null
                or cast(stays.left_at as date) > case_dates.scoring_date
            )

),

open_case_dates as (

    select
        case_dates.*,
        stays_at_date.state as stage,
        {{ dbt.datediff(
            'cast(stays_at_date.entered_at as date)', 'case_dates.scoring_date', 'day'
        ) }} as days_in_stage
    from case_dates
    inner join stays_at_date
        on
            case_dates.case_id = stays_at_date.case_id
            and case_dates.scoring_date = stays_at_date.scoring_date
    where stays_at_date.state <> 'closed'

),

debtor_dates as (

    select distinct
        debtor_id,
        scoring_date
    from open_case_dates

),

settlement_dates as (

    {#- The invoices of the debtors scored (debtor_dates), not every invoice: on a daily build,
        those of the restated scope. -#}
    select
        invoice_id,
        debtor_id,
        due_date,
        min(case when open_amount = 0 then valid_from end) as settled_on
    from balance_periods
    where debtor_id in (select debtor_dates.debtor_id from debtor_dates)
    group by invoice_id, debtor_id, due_date

),

invoice_settlements as (

    select
        settlement_dates.invoice_id,
        settlement_dates.debtor_id,
        settlement_dates.due_date,
        settlement_dates.settled_on,
        greatest(
            settlement_dates.settled_on,
            coalesce(
                max(cast(allocations.allocated_at as date)), settlement_dates.settled_on
            )
        ) as settlement_posted_on
    from settlement_dates
    left join allocations
        on
            settlement_dates.invoice_id = allocations.invoice_id
            and settlement_dates.settled_on >= allocations.payment_date
    group by
        settlement_dates.invoice_id,
        settlement_dates.debtor_id,
        settlement_dates.due_date,
        settlement_dates.settled_on

),

debtor_habits as (

    select
        debtor_dates.debtor_id,
        debtor_dates.scoring_date,
        count(invoice_settlements.invoice_id) as invoices_due_before,
        sum(
            case
                when
                    invoice_settlements.settled_on <= invoice_settlements.due_date
                    and invoice_settlements.settlement_posted_on <= debtor_dates.scoring_date
                    then 1
                else 0
            end
        ) as invoices_paid_by_due_date,
        avg(
            case
                when invoice_settlements.settlement_posted_on <= debtor_dates.scoring_date
                    then greatest(
                        {{ dbt.datediff(
                            'invoice_settlements.due_date',
                            'invoice_settlements.settled_on',
                            'day'
                        ) }},
                        0
                    )
            end
        ) as avg_days_late
    from debtor_dates
    inner join invoice_settlements
        on
            debtor_dates.debtor_id = invoice_settlements.debtor_id
            and debtor_dates.scoring_date > invoice_settlements.due_date
    group by debtor_dates.debtor_id, debtor_dates.scoring_date

),

feature_dates as (

    select distinct scoring_date from debtor_dates

),

feature_fx_rates as (

    {{ fx_rates_on_dates('feature_dates', 'scoring_date', 'fx_rates') }}

),

balances_on_dates as (

    {#- The periods of each debtor's invoices on the dates that debtor is scored (keys), not
        every invoice on every date: a period of a debtor with no case open on a date is
        never read. -#}
    {{ balance_periods_on('debtor_dates', 'scoring_date', 'true', ['debtor_id']) }}

),

posted_later as (

    select
        balances_on_dates.invoice_id,
        balances_on_dates.scoring_date,
        sum(allocations.allocated_amount) as allocated_amount
    from balances_on_dates
    inner join allocations
        on
            balances_on_dates.invoice_id = allocations.invoice_id
            and balances_on_dates.scoring_date >= allocations.payment_date
            and balances_on_dates.scoring_date < cast(allocations.allocated_at as date)
    group by balances_on_dates.invoice_id, balances_on_dates.scoring_date

),

open_items as (

    select
        balances_on_dates.scoring_date,
        balances_on_dates.debtor_id,
        balances_on_dates.currency,
        balances_on_dates.due_date,
        balances_on_dates.invoice_amount
        - balances_on_dates.allocated_amount_to_date
        + coalesce(posted_later.allocated_amount, 0)
        - balances_on_dates.credited_amount_to_date as open_amount
    from balances_on_dates
    left join posted_later
        on
            balances_on_dates.invoice_id = posted_later.invoice_id
            and balances_on_dates.scoring_date = posted_later.scoring_date
    where
        balances_on_dates.open_amount > 0
        or posted_later.allocated_amount is not null

),

debtor_ageing as (

    select
        debtor_dates.debtor_id,
        debtor_dates.scoring_date,
        sum(round(open_items.open_amount * feature_fx_rates.rate_to_reporting, 2))
            as open_amount_rc,
        max({{ dbt.datediff('open_items.due_date', 'debtor_dates.scoring_date', 'day') }})
            as days_past_due
    from debtor_dates
    inner join open_items
        on
            debtor_dates.debtor_id = open_items.debtor_id
            and debtor_dates.scoring_date = open_items.scoring_date
            and open_items.open_amount > 0
    left join feature_fx_rates
        on
            open_items.scoring_date = feature_fx_rates.scoring_date
            and open_items.currency = feature_fx_rates.currency
    group by debtor_dates.debtor_id, debtor_dates.scoring_date

),

debtor_kept_rates as (

    select
        debtor_dates.debtor_id,
        debtor_dates.scoring_date,
        {{ finance_round_ratio(
            "sum(case when promises.outcome = 'kept' then 1 else 0 end)", 'count(*)', 4
        ) }} as debtor_kept_share
    from debtor_dates
    inner join promises
        on
            debtor_dates.debtor_id = promises.debtor_id
            and debtor_dates.scoring_date > promises.window_end_date
    group by debtor_dates.debtor_id, debtor_dates.scoring_date

),

recent_contacts as (

    select
        open_case_dates.case_id,
        open_case_dates.scoring_date,
        count(*) as contacts_last_30_days,
        sum(case when contacts.is_right_party_contact then 1 else 0 end)
            as right_party_contacts_last_30_days
    from open_case_dates
    inner join contacts
        on
            open_case_dates.case_id = contacts.case_id
            and open_case_dates.scoring_date >= contacts.contact_date
            and {{ dbt.dateadd('day', -30, 'open_case_dates.scoring_date') }}
            < contacts.contact_date
    group by open_case_dates.case_id, open_case_dates.scoring_date

),

promise_history as (

    select
        open_case_dates.case_id,
        open_case_dates.scoring_date,
        sum(
            case
                when
                    promises.window_end_date < open_case_dates.scoring_date
                    and promises.outcome = 'kept'
                    then 1
                else 0
            end
        ) as promises_kept,
        sum(
            case
                when
                    promises.window_end_date < open_case_dates.scoring_date
                    and promises.outcome in ('broken', 'partially_kept')
                    then 1
                else 0
            end
        ) as promises_broken,
        max(
            case
                when promises.window_end_date >= open_case_dates.scoring_date then 1 else 0
            end
        ) as has_running_promise
    from open_case_dates
    inner join promises
        on
            open_case_dates.case_id = promises.case_id
            and cast(promises.made_at as date) <= open_case_dates.scoring_date
    group by open_case_dates.case_id, open_case_dates.scoring_date

),

disputes as (

    select
        opened.case_id,
        opened.dispute_id,
        cast(opened.occurred_at as date) as opened_on,
        min(cast(resolved.occurred_at as date)) as resolved_on
    from events as opened
    left join events as resolved
        on
            opened.case_id = resolved.case_id
            and opened.dispute_id = resolved.dispute_id
            and resolved.event_type = 'dispute_resolved'
    where opened.event_type = 'dispute_opened'
    group by opened.case_id, opened.dispute_id, cast(opened.occurred_at as date)

),

open_disputes as (

    select distinct
        open_case_dates.case_id,
        open_case_dates.scoring_date
    from open_case_dates
    inner join disputes
        on
            open_case_dates.case_id = disputes.case_id
            and open_case_dates.scoring_date >= disputes.opened_on
            and (
                disputes.resolved_on is null
                or open_case_dates.scoring_date < disputes.resolved_on
            )

),

final as (

    select
        open_case_dates.case_id,
        open_case_dates.scoring_date,
        open_case_dates.debtor_id,
        coalesce(customers.segment, 'unknown') as segment,
        open_case_dates.strategy,
        open_case_dates.stage,
        cast(open_case_dates.days_in_stage as integer) as days_in_stage,
        cast({{ dbt.datediff(
            'cast(open_case_dates.opened_at as date)', 'open_case_dates.scoring_date', 'day'
        ) }} as integer) as days_since_opened,
        cast(coalesce(debtor_habits.invoices_due_before, 0) as integer) as invoices_due_before,
        cast({{ finance_round_ratio(
            'debtor_habits.invoices_paid_by_due_date', 'debtor_habits.invoices_due_before', 4
        ) }} as decimal(9, 4)) as share_paid_by_due_date,
        cast(debtor_habits.avg_days_late as decimal(9, 2)) as avg_days_late,
        cast(coalesce(debtor_ageing.open_amount_rc, 0) as decimal(18, 2)) as open_amount_rc,
        cast(coalesce(debtor_ageing.days_past_due, 0) as integer) as days_past_due,
        {{ finance_ageing_bucket('coalesce(debtor_ageing.days_past_due, 0)') }}
            as ageing_bucket,
        cast(coalesce(recent_contacts.contacts_last_30_days, 0) as integer)
            as contacts_last_30_days,
        cast(coalesce(recent_contacts.right_party_contacts_last_30_days, 0) as integer)
            as right_party_contacts_last_30_days,
        cast(coalesce(promise_history.promises_kept, 0) as integer) as promises_kept,
        cast(coalesce(promise_history.promises_broken, 0) as integer) as promises_broken,
        coalesce(promise_history.has_running_promise, 0) = 1 as has_running_promise,
        open_disputes.case_id is not null as has_open_dispute,
        cast(debtor_kept_rates.debtor_kept_share as decimal(9, 4)) as debtor_kept_share,
        open_case_dates.is_snapshot_date,
        open_case_dates.scoring_date = {{ as_of_date() }} as is_as_of,
        {{ newest_raw_load(score_feature_raw_inputs()) }} as loaded_at
    from open_case_dates
    left join customers
        on open_case_dates.debtor_id = customers.debtor_id
    left join debtor_habits
        on
            open_case_dates.debtor_id = debtor_habits.debtor_id
            and open_case_dates.scoring_date = debtor_habits.scoring_date
    left join debtor_ageing
        on
            open_case_dates.debtor_id = debtor_ageing.debtor_id
            and open_case_dates.scoring_date = debtor_ageing.scoring_date
    left join recent_contacts
        on
            open_case_dates.case_id = recent_contacts.case_id
            and open_case_dates.scoring_date = recent_contacts.scoring_date
    left join promise_history
        on
            open_case_dates.case_id = promise_history.case_id
            and open_case_dates.scoring_date = promise_history.scoring_date
    left join open_disputes
        on
            open_case_dates.case_id = open_disputes.case_id
            and open_case_dates.scoring_date = open_disputes.scoring_date
    left join debtor_kept_rates
        on
            open_case_dates.debtor_id = debtor_kept_rates.debtor_id
            and open_case_dates.scoring_date = debtor_kept_rates.scoring_date

)
{%- if is_incremental() %},

-- Held rows of the restated scope that this build does not write again: withdrawn.
withdrawn as (

    {{ withdrawn_score_features() }}

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
