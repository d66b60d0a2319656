{#- Accounts-receivable ageing by due date (DESIGN.md §4 "Ageing"): one row per open invoice
    and snapshot date, the open items of int_finance_open_items with an open amount above zero,
    aged and bucketed, converted at the rate of the snapshot date. The key columns come first
    and are part of the product's interface.

    Incremental (delete+insert by snapshot_date and invoice_id). `loaded_at` is the latest
    `_loaded_at` of the staging inputs when a row was written: the mark up to which the model
    has taken new files in. A row depends on its invoice's balance history, its customer, the
    rate of its snapshot date and whether the snapshot is as_of, so a daily build recomputes
    (macros of ar_restatements.sql, shared with fct_ar_movements):
    - every snapshot of each invoice a file loaded since the mark touches (the invoice, a
      credit note or allocation referring to it in any version, the bank entry dating a
      payment, its customer: invoices_touched_since_last_build);
    - for every invoice, the snapshots it does not hold as they are now: as_of (it moves every
      day), a month end that has just closed, the previous as_of (withdrawn, or kept as a
      month end that is no longer the latest), an earlier month end should an earlier invoice
      arrive (ageing_snapshots_restated_since_last_build);
    - for the invoices in its currency, the snapshots in the window of an FX rate loaded since
      the mark (the dates on which it is the rate in force).
    Held rows of that scope that the recomputation no longer yields (an invoice paid earlier
    by a correction, the previous as_of) are withdrawn: the batch carries them with a null
    `loaded_at`, and the post-hook deletes them (remove_withdrawn_rows). A daily build thus
    costs one snapshot of every open invoice (as_of) plus the history of the touched ones. -#}
-- depends_on: {{ source('raw', 'erp_invoices') }}, {{ source('raw', 'erp_payment_allocations') }}
-- depends_on: {{ ref('stg_erp__invoices') }}, {{ ref('stg_erp__customers') }}
-- depends_on: {{ ref('stg_erp__payment_allocations') }}, {{ ref('stg_bank__entries') }}
-- depends_on: {{ ref('stg_fx__rates') }}, {{ ref('int_payment_allocations_dated') }}
-- depends_on: {{ ref('int_ageing_snapshot_dates') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['snapshot_date', 'invoice_id'],
    on_schema_change='fail',
    post_hook="{{ remove_withdrawn_rows() }}"
) }}
with

{%- if is_incremental() %}

restated_invoices as (

    {{ invoices_touched_since_last_build() }}

),

restated_snapshots as (

    {{ ageing_snapshots_restated_since_last_build() }}

),
{%- endif %}

open_items as (

    select * from {{ ref('int_finance_open_items') }} as open_items
    where
        open_amount > 0
    {% if is_incremental() -%}
        and {{ in_restated_ageing_cells('open_items') }}
    {%- endif %}

),

aged as (

    select
        *,
        cast(
            {{ dbt.datediff('due_date', 'snapshot_date', 'day') }} as {{ dbt.type_int() }}
        ) as days_past_due
    from open_items

),

final as (

    select
        snapshot_date,
        invoice_id,
        debtor_id,
        segment,
        currency,
        due_date,
        days_past_due,
        {{ finance_ageing_bucket('days_past_due') }} as ageing_bucket,
        cast(open_amount as decimal(18, 2)) as open_amount,
        cast(round(open_amount * fx_rate, 2) as decimal(18, 2)) as open_amount_rc,
        invoice_number,
        issue_date,
        debtor_name,
        cast(invoice_amount as decimal(18, 2)) as invoice_amount,
        cast(allocated_amount_to_date as decimal(18, 2)) as allocated_amount_to_date,
        cast(credited_amount_to_date as decimal(18, 2)) as credited_amount_to_date,
        {{ reporting_currency() }} as reporting_currency,
        cast(fx_rate as decimal(24, 10)) as fx_rate,
        fx_rate_date,
        is_latest_snapshot,
        {{ ar_inputs_loaded_at() }} as loaded_at
    from aged

)
{%- if is_incremental() %},

-- Held rows of the restated cells that this build does not write again: withdrawn.
withdrawn as (

    {{ withdrawn_ageing_rows() }}

),

batch as (

    select * from final
    union all
    select * from withdrawn

)

-- Written in snapshot order: a reader of one snapshot (every ageing page) reads only that
-- snapshot's row groups (DuckDB skips the others by their min/max dates); a daily build
-- appends its batch in that order too.
select * from batch
order by snapshot_date
{%- else %}

-- Written in snapshot order: a reader of one snapshot (every ageing page) reads only that
-- snapshot's row groups (DuckDB skips the others by their min/max dates).
select * from final
order by snapshot_date
{%- endif %}
