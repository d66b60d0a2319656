{#- The restatement scope of the incremental int_case_score_features: the rows (case_id,
    scoring_date) a daily build writes again. The model carries `loaded_at`, the newest raw
    load its build had seen (newest_raw_load of score_feature_raw_inputs); on a daily build,
    the raw versions loaded after the latest one it holds (last_build_load) are what the new
    files bring, old versions included (versions_of_keys_loaded_since_last_build: a record
    moved to another case, debtor or date restates both places). -#}

{#- The raw relations whose `_loaded_at` sets the model's `loaded_at`: every input a row reads,
    through staging and the models in between. -#}
{% macro score_feature_raw_inputs() -%}
    {{ return([
        source('raw', 'cases_cases'),
        source('raw', 'cases_case_events'),
        source('raw', 'contacts_calls'),
        source('raw', 'contacts_messages'),
        source('raw', 'erp_invoices'),
        source('raw', 'erp_customers'),
        source('raw', 'erp_payment_allocations'),
        source('raw', 'bank_entries'),
        source('raw', 'fx_rates'),
    ]) }}
{%- endmacro %}

{#- (debtor_id, restated_from): every debtor whose rows the new files can change, and the first
    scoring date they can change; every case of the debtor is restated from it (the debtor's
    promises set each of its cases' debtor_kept_share). A row of date S reads only facts dated
    on or before S (its header), so a fact dated D changes rows on D or later:
      case record     every version's debtor, whole history (strategy, opening: every row);
                      a re-sent record, or a change of a column no row reads, restates
                      nothing (nor does a re-sent event, call, message or invoice below: a
                      key is restated when new or when its versions differ in content);
      case events     the debtor of the case of every version (old and new), from the day
                      before the event's date in any version: a promise_made event adds its
                      promise's eve (made_at - 1), a stage, closing, dispute or promise
                      changes the dates from its own;
      calls, messages the debtor of the case of every version, from its date in any version;
      invoices        every version's debtor (and the debtor of the invoice a credit note
                      refers to in any version), from the earliest issue or due date of any
                      version (its balance periods start at issue, its habits at due date)
                      and from the payment and posting dates of its allocations (a
                      prepayment precedes the issue date; promises count it by its date);
                      a re-sent invoice restates nothing;
      allocations     the debtor of the invoice of every version, from the earliest of its
                      posting date (allocated_at) and its payment's bank value date, in any
                      version: a payment counts from its value date in the balances and the
                      promise outcomes, and from its posting in what is known by S;
      bank entries    the debtors of the invoices of the allocations naming the entry, from
                      the earliest value date of any version and their posting dates
                      (payment_days_restated_since_last_build, shared with fct_agent_daily);
      customers       every debtor whose segment changed (or who is new), whole history.
    FX rates restate dates, not debtors (score_feature_dates_restated_since_last_build). -#}
{% macro score_feature_debtors_restated_since_last_build() -%}
    {%- set whole_history = "cast('1900-01-01' as date)" -%}
    {%- set cases = ref('stg_cases__cases') -%}
    {%- set invoices = ref('stg_erp__invoices') -%}
    with

    case_versions as (

        {{ versions_of_keys_loaded_since_last_build(
            source('raw', 'cases_cases'),
            'case_id',
            ['debtor_id'],
            ['debtor_id', 'opened_at', 'strategy']
        ) }}

    ),

    case_records as (

        {#- The cases of a case-level record, by date: events (from the day before), calls and
            messages, every version. -#}
        select
            case_id,
            cast({{ dbt.dateadd('day', -1, 'cast(occurred_at as date)') }} as date) as day
        from (
            {{ versions_of_keys_loaded_since_last_build(
                source('raw', 'cases_case_events'),
                'event_id',
                ['case_id', 'occurred_at'],
                ['case_id', 'occurred_at', 'event_type', 'actor_id', 'payload']
            ) }}
        ) as event_versions

        union all

        select
            case_id,
            cast(started_at as date)
        from (
            {{ versions_of_keys_loaded_since_last_build(
                source('raw', 'contacts_calls'),
                'contact_id',
                ['case_id', 'started_at'],
                [
                    'case_id', 'debtor_id', 'agent_id', 'direction', 'started_at',
                    'duration_s', 'outcome',
                ]
            ) }}
        ) as call_versions

        union all

        select
            case_id,
            cast(sent_at as date)
        from (
            {{ versions_of_keys_loaded_since_last_build(
                source('raw', 'contacts_messages'),
                'contact_id',
                ['case_id', 'sent_at'],
                [
                    'case_id', 'debtor_id', 'agent_id', 'channel', 'direction', 'sent_at',
                    'template_id', 'outcome',
                ]
            ) }}
        ) as message_versions

    ),

    invoice_versions as (

        {{ versions_of_keys_loaded_since_last_build(
            source('raw', 'erp_invoices'),
            'invoice_id',
            ['invoice_id', 'debtor_id', 'reference_invoice_id', 'issue_date', 'due_date'],
            [
                'debtor_id', 'document_type', 'reference_invoice_id', 'issue_date', 'due_date',
                'amount', 'currency',
            ]
        ) }}

    ),

    invoice_days as (

        {#- (invoice_id, day) of every payment whose allocation or bank entry changed, and of
            the invoice a credit note refers to in any version. -#}
        select
            payments.invoice_id,
            payments.day
        from ({{ payment_days_restated_since_last_build() }}) as payments

        union all

        select
            reference_invoice_id,
            least(cast(issue_date as date), cast(due_date as date))
        from invoice_versions
        where reference_invoice_id is not null

    ),

    restatements as (

        select
            debtor_id,
            {{ whole_history }} as restated_from
        from case_versions

        union all

        select
            cases.debtor_id,
            case_records.day
        from case_records
        inner join {{ cases }} as cases
            on case_records.case_id = cases.case_id

        union all

        select
            debtor_id,
            least(cast(issue_date as date), cast(due_date as date))
        from invoice_versions

        union all

        {#- an invoice's payments may precede its dates (a prepayment): every version's debtor
            from each of its payment's days too #}
        select
            invoice_versions.debtor_id,
            least(allocations.payment_date, cast(allocations.allocated_at as date))
        from invoice_versions
        inner join {{ ref('int_payment_allocations_dated') }} as allocations
            on invoice_versions.invoice_id = allocations.invoice_id

        union all

        select
            invoices.debtor_id,
            invoice_days.day
        from invoice_days
        inner join {{ invoices }} as invoices
            on invoice_days.invoice_id = invoices.invoice_id

        union all

        select
            debtor_id,
            {{ whole_history }}
        from (
            {{ versions_of_keys_loaded_since_last_build(
                source('raw', 'erp_customers'), 'debtor_id', ['debtor_id'], ['segment']
            ) }}
        ) as customer_versions

    )

    select
        debtor_id,
        min(restated_from) as restated_from
    from restatements
    where debtor_id is not null
    group by debtor_id
{%- endmacro %}

{#- (scoring_date) of the dates whose rows a daily build writes again for every case:
      - every date from the as-of date of the last build (its rows are no longer as_of: kept
        if a month end or a promise eve, withdrawn otherwise) onwards: the new as_of, the
        month ends it passed, and the eves of promises it brings in (a record an earlier as-of
        date left out is dated after that as-of date);
      - a snapshot date (int_ageing_snapshot_dates) not held as one with the same
        is_latest_snapshot, and a date held as a snapshot date that is none any more (an
        earlier first invoice adds month ends, a corrected one removes them);
      - the dates in the window of an FX rate loaded since the last build (the dates on which
        it is the rate in force: ageing converts at it; fx_rate_windows_loaded_since_last_build).
    The held and written dates are among these only through the condition
    in_restated_score_features, which also takes the dates on or after the last build's as_of
    without listing them. -#}
{% macro score_feature_dates_restated_since_last_build() -%}
    {%- set snapshot_dates = ref('int_ageing_snapshot_dates') -%}
    select snapshot_dates.snapshot_date as scoring_date
    from {{ snapshot_dates }} as snapshot_dates
    where not exists (
        select 1
        from {{ this }} as held
        where
            held.is_snapshot_date
            and held.scoring_date = snapshot_dates.snapshot_date
            and held.is_as_of = snapshot_dates.is_latest_snapshot
    )

    union

    select distinct held.scoring_date
    from {{ this }} as held
    where
        held.is_snapshot_date
        and not exists (
            select 1
            from {{ snapshot_dates }} as snapshot_dates
            where snapshot_dates.snapshot_date = held.scoring_date
        )

    union

    select feature_dates.scoring_date
    from (
        select snapshot_dates.snapshot_date as scoring_date
        from {{ snapshot_dates }} as snapshot_dates
        union
        select held.scoring_date
        from {{ this }} as held
        where not held.is_snapshot_date
    ) as feature_dates
    inner join ({{ fx_rate_windows_loaded_since_last_build() }}) as rate_windows
        on
            feature_dates.scoring_date >= rate_windows.valid_from
            and feature_dates.scoring_date < rate_windows.valid_to
{%- endmacro %}

{#- The as-of date of the model's last build (1900-01-01 when it holds none). -#}
{% macro last_score_features_as_of() -%}
    (
        select coalesce(max(built.scoring_date), cast('1900-01-01' as date))
        from {{ this }} as built
        where built.is_as_of
    )
{%- endmacro %}

{#- On a daily build of int_case_score_features, the `where` condition keeping a row of the
    restated scope, `debtor_id` and `scoring_date` being its columns: a date on or after the
    last build's as_of, a date of the CTE `restated_dates`, or a date on or after its debtor's
    restated_from in the CTE `restated_debtors`. -#}
{% macro in_restated_score_features(debtor_id, scoring_date) -%}
    (
        {{ scoring_date }} >= {{ last_score_features_as_of() }}
        or {{ scoring_date }} in (select restated_dates.scoring_date from restated_dates)
        or exists (
            select 1
            from restated_debtors
            where
                restated_debtors.debtor_id = {{ debtor_id }}
                and restated_debtors.restated_from <= {{ scoring_date }}
        )
    )
{%- endmacro %}

{#- On a daily build of int_case_score_features, its held rows of the restated scope that the
    CTE `final` does not write again: withdrawn, with a null loaded_at (the post-hook
    remove_withdrawn_rows deletes them). -#}
{% macro withdrawn_score_features() -%}
    {{ withdrawn_rows(
        in_restated_score_features('held_rows.debtor_id', 'held_rows.scoring_date'),
        ['case_id', 'scoring_date']
    ) }}
{%- endmacro %}
