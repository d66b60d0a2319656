{#- Open receivables at each DSO balance date (DESIGN.md §4): every period end of
    int_finance_months (month ends, and as_of for the partial month) plus the day before the
    first month (beginning AR of the first period). The open items are the balance periods of
    fct_ar_balance_periods containing each balance date (as in fct_ar_ageing); converted at the
    rate of the balance date, rounded to the cent per invoice, so the totals tie to
    fct_ar_ageing at the same dates.

    Incremental (delete+insert by balance_date and invoice_id). `loaded_at` is the latest
    `_loaded_at` of the staging inputs when a row was written (ar_inputs_loaded_at), the mark
    up to which the model has taken new files in. A row depends on its invoice's balance
    history and customer, and on the rate of its balance date (not on whether the date is a
    month end or as_of: the balance on a date is the same either way), so a daily build
    recomputes (macros of ar_restatements.sql, shared with the receivables marts):
    - every balance date of each invoice a file loaded since the mark touches
      (invoices_touched_since_last_build);
    - for every invoice, the balance dates it does not hold: as_of (it moves every day), and
      the month ends and day-before-the-first-month should an earlier invoice arrive;
    - for the invoices in its currency, the balance dates in the window of an FX rate loaded
      since the mark (fx_rate_windows_loaded_since_last_build).
    Held rows of that scope that the recomputation no longer yields, and the held rows of a
    date that is no longer a balance date (the previous as_of, unless a month end), are
    withdrawn: the batch carries them with a null `loaded_at`, and the post-hook deletes them
    (remove_withdrawn_rows). A daily build thus costs the as_of date's open invoices plus the
    balance dates of the touched ones, not every balance date of the history. -#}
-- depends_on: {{ source('raw', 'erp_invoices') }}, {{ source('raw', 'erp_payment_allocations') }}
-- depends_on: {{ ref('stg_erp__invoices') }}, {{ ref('stg_erp__customers') }}
-- depends_on: {{ ref('stg_erp__payment_allocations') }}, {{ ref('stg_bank__entries') }}
-- depends_on: {{ ref('int_payment_allocations_dated') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['balance_date', 'invoice_id'],
    on_schema_change='fail',
    post_hook="{{ remove_withdrawn_rows() }}"
) }}
with

balance_periods as (

    select * from {{ ref('fct_ar_balance_periods') }}

),

fx_rates as (

    select * from {{ ref('stg_fx__rates') }}

),

months as (

    select * from {{ ref('int_finance_months') }}

),

balance_dates as (

    select period_end_date as balance_date from months

    union

    select cast({{ dbt.dateadd('day', '-1', 'min(month_start)') }} as date) as balance_date
    from months
    having count(*) > 0

),

balance_date_rates as (

    {{ fx_rates_on_dates('balance_dates', 'balance_date', 'fx_rates') }}

),

{%- if is_incremental() %}

-- What this build restates (see the header).
restated_invoices as (

    select touched.invoice_id
    from ({{ invoices_touched_since_last_build() }}) as touched
    where touched.invoice_id is not null

),

-- Balance dates to recompute: for every currency (currency null) when not held, else for
-- the currency of a loaded rate whose window holds the date.
restated_dates as (

    select
        balance_dates.balance_date,
        cast(null as {{ dbt.type_string() }}) as currency
    from balance_dates
    where balance_dates.balance_date not in (
        select held.balance_date from {{ this }} as held
    )

    union

    select
        balance_dates.balance_date,
        rate_windows.currency
    from balance_dates
    inner join ({{ fx_rate_windows_loaded_since_last_build() }}) as rate_windows
        on
            balance_dates.balance_date >= rate_windows.valid_from
            and balance_dates.balance_date < rate_windows.valid_to

),

restated_balance_dates as (

    select distinct balance_date from restated_dates

),

-- The open items of the restated cells: every balance date of a restated invoice, and the
-- other invoices on a restated date (of their currency).
open_items as (

    {{ balance_periods_on(
        'balance_dates',
        'balance_date',
        'open_amount > 0 and invoice_id in (select restated_invoices.invoice_id from restated_invoices)'
    ) }}

    union all

    {{ balance_periods_on(
        'restated_balance_dates',
        'balance_date',
        'open_amount > 0
        and invoice_id not in (select restated_invoices.invoice_id from restated_invoices)
        and exists (
            select 1
            from restated_dates
            where
                restated_dates.balance_date = restated_balance_dates.balance_date
                and (
                    restated_dates.currency is null
                    or restated_dates.currency = balance_periods.currency
                )
        )'
    ) }}

),
{%- else %}

open_items as (

    {{ balance_periods_on('balance_dates', 'balance_date', 'open_amount > 0') }}

),
{%- endif %}

final as (

    select
        open_items.balance_date,
        open_items.invoice_id,
        open_items.debtor_id,
        open_items.segment,
        open_items.currency,
        open_items.due_date,
        case when open_items.due_date >= open_items.balance_date then true else false end
            as is_current,
        cast(open_items.open_amount as decimal(18, 2)) as open_amount,
        cast(balance_date_rates.rate_to_reporting as decimal(24, 10)) as fx_rate,
        balance_date_rates.rate_date as fx_rate_date,
        cast(
            round(open_items.open_amount * balance_date_rates.rate_to_reporting, 2)
            as decimal(18, 2)
        ) as open_amount_rc,
        {{ ar_inputs_loaded_at() }} as loaded_at
    from open_items
    left join balance_date_rates
        on
            open_items.balance_date = balance_date_rates.balance_date
            and open_items.currency = balance_date_rates.currency

)
{%- if is_incremental() %},

-- Held rows of the restated cells, or of a date no longer a balance date, that this build
-- does not write again: withdrawn.
withdrawn as (

    {{ withdrawn_rows(
        'held_rows.invoice_id in (select restated_invoices.invoice_id from restated_invoices)
        or held_rows.balance_date not in (select balance_dates.balance_date from balance_dates)
        or exists (
            select 1
            from restated_dates
            where
                restated_dates.balance_date = held_rows.balance_date
                and (
                    restated_dates.currency is null
                    or restated_dates.currency = held_rows.currency
                )
        )',
        ['balance_date', 'invoice_id']
    ) }}

)

select * from final
union all
select * from withdrawn
{%- else %}

select * from final
{%- endif %}
