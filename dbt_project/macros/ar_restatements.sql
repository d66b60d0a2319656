{#- The restatement scope of the incremental accounts-receivable models (fct_ar_balance_periods,
    fct_ar_ageing, fct_ar_ageing_by_invoice_date, fct_ar_movements): one home for "what the
    files loaded since the model's last build touch". Each model carries `loaded_at`, the latest
    `_loaded_at` of its staging inputs when its rows were written (ar_inputs_loaded_at); on a
    daily build, the staging rows loaded after the latest one it holds (last_build_load) are
    what the new files bring. A model that uses these macros must name their inputs in a
    `-- depends_on:` line (dbt parses incremental branches without them). -#}

{#- The latest `_loaded_at` of the staging inputs of the receivables models: the value of
    `loaded_at` on the rows a build writes. -#}
{% macro ar_inputs_loaded_at() -%}
    (
        select cast(max(inputs.loaded_at) as {{ dbt.type_timestamp() }})
        from (
            select max(_loaded_at) as loaded_at from {{ ref('stg_erp__invoices') }}
            union all
            select max(_loaded_at) as loaded_at from {{ ref('stg_erp__customers') }}
            union all
            select max(_loaded_at) as loaded_at from {{ ref('stg_erp__payment_allocations') }}
            union all
            select max(_loaded_at) as loaded_at from {{ ref('stg_bank__entries') }}
            union all
            select max(_loaded_at) as loaded_at from {{ ref('stg_fx__rates') }}
        ) as inputs
    )
{%- endmacro %}

{#- The invoices (invoice_id) whose history a file loaded since the model's last build
    touches: a new or corrected version of the invoice, of a credit note referring to it, of
    an allocation to it or of the bank entry dating one (for a corrected credit note or
    allocation, every invoice any of its raw versions referred to: it may have moved), and a
    change to its customer (debtor name and segment are columns of these models). Every
    period, balance and snapshot of such an invoice is restated. FX rates are apart
    (fx_rate_windows_loaded_since_last_build): they touch a currency's dates, not invoices. -#}
{% macro invoices_touched_since_last_build() -%}
    {%- set invoices = ref('stg_erp__invoices') -%}
    {%- set allocations = ref('stg_erp__payment_allocations') -%}
    select changed_documents.invoice_id
    from {{ invoices }} as changed_documents
    where changed_documents._loaded_at > {{ last_build_load() }}

    union

    select changed_documents.reference_invoice_id
    from {{ invoices }} as changed_documents
    where changed_documents._loaded_at > {{ last_build_load() }}

    union

    select raw_documents.reference_invoice_id
    from {{ source('raw', 'erp_invoices') }} as raw_documents
    inner join {{ invoices }} as changed_documents
        on raw_documents.invoice_id = changed_documents.invoice_id
    where changed_documents._loaded_at > {{ last_build_load() }}

    union

    select changed_allocations.invoice_id
    from {{ allocations }} as changed_allocations
    where changed_allocations._loaded_at > {{ last_build_load() }}

    union

    select raw_allocations.invoice_id
    from {{ source('raw', 'erp_payment_allocations') }} as raw_allocations
    inner join {{ allocations }} as changed_allocations
        on raw_allocations.allocation_id = changed_allocations.allocation_id
    where changed_allocations._loaded_at > {{ last_build_load() }}

    union

    select payment_allocations.invoice_id
    from {{ ref('int_payment_allocations_dated') }} as payment_allocations
    inner join {{ ref('stg_bank__entries') }} as bank_entries
        on payment_allocations.payment_ref = bank_entries.entry_ref
    where bank_entries._loaded_at > {{ last_build_load() }}

    union

    select invoices.invoice_id
    from {{ invoices }} as invoices
    inner join {{ ref('stg_erp__customers') }} as customers
        on invoices.debtor_id = customers.debtor_id
    where customers._loaded_at > {{ last_build_load() }}
{%- endmacro %}

{#- For each FX rate loaded since the model's last build (rates of past dates can be
    corrected, and a missing day can arrive late), its window: the dates on which it is the
    rate in force, from its rate_date up to the currency's next rate_date (excluded; 9999-12-31
    for the latest). (currency, valid_from, valid_to); never the reporting currency. -#}
{% macro fx_rate_windows_loaded_since_last_build() -%}
    select
        rate_windows.currency,
        rate_windows.valid_from,
        coalesce(rate_windows.valid_to, cast('9999-12-31' as date)) as valid_to
    from (
        select
            currency,
            rate_date as valid_from,
            lead(rate_date) over (partition by currency order by rate_date) as valid_to,
            _loaded_at
        from {{ ref('stg_fx__rates') }}
        where currency <> {{ reporting_currency() }}
    ) as rate_windows
    where rate_windows._loaded_at > {{ last_build_load() }}
{%- endmacro %}

{#- The ageing snapshots a daily build of an ageing mart (one row per snapshot_date and
    invoice_id, with is_latest_snapshot and currency) restates for every invoice, currency
    null: a snapshot of int_ageing_snapshot_dates it does not hold with the same
    is_latest_snapshot (as_of moves every day; the previous as_of stays only if a month end,
    no longer the latest), and a held snapshot no longer among them (the previous as_of);
    and, currency given, for the invoices in that currency only: the snapshots in the window
    of an FX rate loaded since the last build (their open amount converts at it). -#}
{% macro ageing_snapshots_restated_since_last_build() -%}
    {%- set snapshot_dates = ref('int_ageing_snapshot_dates') -%}
    select
        snapshot_dates.snapshot_date,
        cast(null as {{ dbt.type_string() }}) as currency
    from {{ snapshot_dates }} as snapshot_dates
    where not exists (
        select 1
        from {{ this }} as held
        where
            held.snapshot_date = snapshot_dates.snapshot_date
            and held.is_latest_snapshot = snapshot_dates.is_latest_snapshot
    )

    union

    select distinct
        held.snapshot_date,
        cast(null as {{ dbt.type_string() }}) as currency
    from {{ this }} as held
    where not exists (
        select 1
        from {{ snapshot_dates }} as snapshot_dates
        where snapshot_dates.snapshot_date = held.snapshot_date
    )

    union

    select
        snapshot_dates.snapshot_date,
        rate_windows.currency
    from {{ snapshot_dates }} as snapshot_dates
    inner join ({{ fx_rate_windows_loaded_since_last_build() }}) as rate_windows
        on
            snapshot_dates.snapshot_date >= rate_windows.valid_from
            and snapshot_dates.snapshot_date < rate_windows.valid_to
{%- endmacro %}

{#- On a daily build of an ageing mart, the `where` condition keeping a row (its columns
    snapshot_date, invoice_id and currency; `relation` names it) of the cells this build
    writes: an invoice of the CTE `restated_invoices`, or a snapshot of the CTE
    `restated_snapshots` (for every currency, or the row's). -#}
{% macro in_restated_ageing_cells(relation) -%}
    (
        {{ relation }}.invoice_id in (select restated_invoices.invoice_id from restated_invoices)
        or exists (
            select 1
            from restated_snapshots
            where
                restated_snapshots.snapshot_date = {{ relation }}.snapshot_date
                and (
                    restated_snapshots.currency is null
                    or restated_snapshots.currency = {{ relation }}.currency
                )
        )
    )
{%- endmacro %}

{#- On a daily build of an ageing mart, its held rows of the restated cells (CTEs
    `restated_invoices` and `restated_snapshots`) that the CTE `final` does not write again:
    withdrawn, with a null loaded_at (the post-hook remove_withdrawn_rows deletes them). -#}
{% macro withdrawn_ageing_rows() -%}
    {{ withdrawn_rows(in_restated_ageing_cells('held_rows'), ['snapshot_date', 'invoice_id']) }}
{%- endmacro %}
