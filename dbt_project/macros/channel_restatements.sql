{#- The restatement scope of the incremental channel attributions (int_channel_contacts,
    int_channel_payments): the rows a daily build writes again, as (debtor_id, restated_from):
    every row of the debtor dated on or after restated_from (a contact by its contact_date, an
    attributed allocation by its payment_date). Each model carries `loaded_at`, the newest raw
    load its build had seen (newest_raw_load of channel_raw_inputs); on a daily build the raw
    versions loaded after the latest one it holds (last_build_load) are what the new files
    bring, old versions included (versions_of_keys_loaded_since_last_build: a record moved to
    another case, debtor or date restates both places; a re-sent record, or a change of a
    column the models do not read, restates nothing). -#}

{#- The raw relations whose `_loaded_at` sets the models' `loaded_at`: every input a row reads,
    through staging and the models in between (FX rates are not among them: the mart
    converts at query time). -#}
{% macro channel_raw_inputs() -%}
    {{ return([
        source('raw', 'cases_cases'),
        source('raw', 'cases_case_events'),
        source('raw', 'contacts_calls'),
        source('raw', 'contacts_messages'),
        source('raw', 'erp_invoices'),
        source('raw', 'erp_customers'),
        source('raw', 'erp_payment_allocations'),
        source('raw', 'bank_entries'),
    ]) }}
{%- endmacro %}

{#- (debtor_id, restated_from): every debtor whose rows the new files (or a later as-of date)
    can change, and the first date they can change. A contact row (dated c) reads its own
    record, its case's debtor, the debtor's segment, the case's stay at the contact and the
    promises on the case made in the 7 days after it, each counted for the LAST outbound
    contact at or before it; an attributed allocation (dated p) reads its allocation, invoice
    and bank entry, and the LAST outbound contact of the debtor in the 30 days up to p, with
    that contact's row. So:
      contacts        a call or message (every version) dated c restates its case's debtor
                      (and the debtor it names) from c - 7: it may take a promise from, or
                      give one back to, a contact up to 7 days before it; the allocations it
                      may take are dated c or later;
      case events     a stage_changed, closed, reopened or promise_made event (every version)
                      dated t restates its case's debtor from t - 7 (a stay changes the stage
                      of the contacts from t; a promise counts for a contact from t - 7 on);
                      for a case missing from the cases feed, the debtors its contacts name;
      case records    a new case, or a case whose debtor changed, restates every debtor its
                      contacts were or are filed under (its debtor in every version, the
                      contacts' own debtor_id while the case was missing) from 7 days before
                      its first contact or promise;
      customers       a new debtor or a changed segment: the debtor's whole history;
      payments        an allocation or bank entry (every version,
                      payment_days_restated_since_last_build, shared with fct_agent_daily)
                      restates its invoice's debtor from its payment day; a new invoice, or
                      one whose debtor or currency changed, the debtors of every version from
                      the first payment day of its allocations;
      as_of           the contacts, promises and allocations dated after the latest day the
                      model holds (`day_column`: the previous as-of date or earlier; a later
                      as_of brings them in), as new records.
    A debtor's rows before restated_from read nothing the new files change. -#}
{% macro channel_debtors_restated_since_last_build(day_column) -%}
    {%- set whole_history = "cast('1900-01-01' as date)" -%}
    {%- set last_day = last_built_day(day_column) -%}
    {%- set contacts = ref('int_ops_case_contacts') -%}
    {%- set allocations = ref('int_payment_allocations_dated') -%}
    with

    case_versions as (

        {{ versions_of_keys_loaded_since_last_build(
            source('raw', 'cases_cases'), 'case_id', ['case_id', 'debtor_id'], ['debtor_id']
        ) }}

    ),

    case_records as (

        {#- (case_id, debtor_id the record names or null, day it can change the case from). -#}
        select
            case_id,
            cast(null as {{ dbt.type_string() }}) as debtor_id,
            cast(occurred_at as date) as day
        from (
            {{ versions_of_keys_loaded_since_last_build(
                source('raw', 'cases_case_events'),
                'event_id',
                ['case_id', 'occurred_at', 'event_type'],
                ['case_id', 'occurred_at', 'event_type', 'payload']
            ) }}
        ) as event_versions
        where event_type in ('stage_changed', 'closed', 'reopened', 'promise_made')

        union all

        select
            case_id,
            debtor_id,
            cast(started_at as date)
        from (
            {{ versions_of_keys_loaded_since_last_build(
                source('raw', 'contacts_calls'),
                'contact_id',
                ['case_id', 'debtor_id', 'started_at'],
                ['case_id', 'debtor_id', 'direction', 'started_at', 'outcome']
            ) }}
        ) as call_versions

        union all

        select
            case_id,
            debtor_id,
            cast(sent_at as date)
        from (
            {{ versions_of_keys_loaded_since_last_build(
                source('raw', 'contacts_messages'),
                'contact_id',
                ['case_id', 'debtor_id', 'sent_at'],
                ['case_id', 'debtor_id', 'channel', 'direction', 'sent_at', 'template_id']
            ) }}
        ) as message_versions

        union all

        -- contacts dated after the latest day held, and every contact of a loaded case
        select
            case_id,
            debtor_id,
            contact_date
        from {{ contacts }}
        where
            contact_date > {{ last_day }}
            or case_id in (select case_versions.case_id from case_versions)

        union all

        -- promises made after the latest day held, and every promise of a loaded case
        select
            case_id,
            debtor_id,
            cast(made_at as date)
        from {{ ref('fct_promises') }}
        where
            cast(made_at as date) > {{ last_day }}
            or case_id in (select case_versions.case_id from case_versions)

    ),

    case_debtors as (

        {#- Every debtor a case's rows are or were filed under: its record's, in any version,
            and, for a case missing from the cases feed, the debtors its contacts name. -#}
        select
            case_id,
            debtor_id
        from {{ ref('stg_cases__cases') }}
        union all
        select
            case_id,
            debtor_id
        from case_versions
        union all
        select
            case_id,
            debtor_id
        from {{ contacts }}
        where case_id in (select case_records.case_id from case_records)

    ),

    invoice_versions as (

        {{ versions_of_keys_loaded_since_last_build(
            source('raw', 'erp_invoices'),
            'invoice_id',
            ['invoice_id', 'debtor_id'],
            ['debtor_id', 'currency']
        ) }}

    ),

    invoice_days as (

        {#- (invoice_id, day): the payments whose dating, amount, invoice or debtor can change,
            and those dated after the latest day held. -#}
        select
            payments.invoice_id,
            payments.day
        from ({{ payment_days_restated_since_last_build() }}) as payments

        union all

        select
            invoice_id,
            payment_date
        from {{ allocations }}
        where
            payment_date > {{ last_day }}
            or invoice_id in (select invoice_versions.invoice_id from invoice_versions)

    ),

    invoice_debtors as (

        select
            invoice_id,
            debtor_id
        from {{ ref('stg_erp__invoices') }}
        union all
        select
            invoice_id,
            debtor_id
        from invoice_versions

    ),

    restatements as (

        select
            case_debtors.debtor_id,
            cast({{ dbt.dateadd('day', -7, 'case_records.day') }} as date) as restated_from
        from case_records
        inner join case_debtors
            on case_records.case_id = case_debtors.case_id

        union all

        select
            debtor_id,
            cast({{ dbt.dateadd('day', -7, 'day') }} as date)
        from case_records

        union all

        select
            invoice_debtors.debtor_id,
            invoice_days.day
        from invoice_days
        inner join invoice_debtors
            on invoice_days.invoice_id = invoice_debtors.invoice_id

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

{#- On a daily build of a channel attribution model, a join keeping a row of debtor
    `debtor_id` dated `day` when it is in the restated scope (the CTE `restated`,
    channel_debtors_restated_since_last_build: one row per debtor), or, with `days_before`,
    within that many days before it (an input the scope's rows read); on a full build,
    nothing. A join, not a correlated `exists`: DuckDB runs that as a delim join over every
    (debtor, day) of the rows (10M contacts at xl). -#}
{% macro restated_channel_debtors(debtor_id, day, days_before=0) -%}
    {%- if is_incremental() %}
    inner join restated
        on
            {{ debtor_id }} = restated.debtor_id
            and {{ day }} >= {% if days_before -%}
                cast({{ dbt.dateadd('day', -days_before, 'restated.restated_from') }} as date)
            {%- else -%}
                restated.restated_from
            {%- endif %}
    {%- endif %}
{%- endmacro %}
