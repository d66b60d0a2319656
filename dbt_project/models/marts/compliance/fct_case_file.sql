{#- The auditor's case file: every source record of a case in time order, up to as_of, with
    its source table, source id, file and row, and the compliance verdict beside it.
    Records: the case itself (cases_cases), its events, calls and messages (fct_case_timeline),
    and the debtor's invoices, credit notes, payment allocations and bank entries of the case's
    ledger window (int_case_file_ledger). A breach (fct_compliance_breaches) is judged on its
    offending record, the last of its evidence ids (the call over the limit, the contact in a
    blocked period, the step without its letter...); every record its evidence cites lists the
    rule in cited_by_rule_ids. Verdict of a call or message: `allowed` (no rule of its pack
    breached), `breach`, `unverifiable` (a quiet-hours rule could not check it: no known time
    zone) or `not_checked` (no pack for the jurisdiction: only the rules for every
    jurisdiction ran, and none was breached); other records: `breach` when
    they are a breach's offending record, else null.

    Incremental by case and record_seq (delete+insert): a daily build rewrites the end of
    each file that can change, from the earliest time at which it can
    (case_files_restated_since_last_build in macros/case_file_restatements.sql): in every
    case whose ledger or timeline rows are not those it holds (compared column by column, both
    ways: a new, corrected, re-sent or moved record, or one a later as-of date brings in), the
    rows from the earliest differing one's time, numbered on from the held rows before it
    (unchanged, so their numbers stand); the whole file of a case whose record was loaded
    since the latest `loaded_at` it holds, or opened on or after the latest day it holds, of
    every case of a debtor whose customer record was loaded (time zone), and of every case
    whose breaches are not those it holds (a breach can come or go with the as-of date alone).
    A held row of that scope the batch does not write again (a
    file that shrank, a case that yields no record any more) is withdrawn: the batch carries
    it with a null `loaded_at`, and the post-hook deletes it (remove_withdrawn_rows). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['case_id', 'record_seq'],
    on_schema_change='fail',
    post_hook="{{ remove_withdrawn_rows() }}"
) }}
with

{%- if is_incremental() %}

-- Computed once: every input below and the withdrawals read it.
{% call staged_cte('restated_cases') %}
    {{ case_files_restated_since_last_build() }}
{% endcall %},
{%- endif %}

cases as (

    select * from {{ ref('dim_cases') }}
    {{ in_restated_cases() }}

),

case_rows as (

    select case_records.* from {{ ref('stg_cases__cases') }} as case_records
    {{ restated_case_tails('case_records', 'opened_at') }}

),

timeline as (

    select timeline_rows.* from {{ ref('fct_case_timeline') }} as timeline_rows
    {{ restated_case_tails('timeline_rows', 'occurred_at') }}

),

ledger as (

    select ledger_rows.* from {{ ref('int_case_file_ledger') }} as ledger_rows
    {{ restated_case_tails('ledger_rows', 'occurred_at') }}

),

breaches as (

    select * from {{ ref('fct_compliance_breaches') }}
    {{ in_restated_cases() }}

),

records as (

    select
        cases.case_id,
        case_rows.opened_at as occurred_at,
        'case' as record_kind,
        'cases_cases' as source_table,
        case_rows.case_id as source_id,
        'opened' as activity,
        cast(null as {{ dbt.type_string() }}) as direction,
        cast(null as {{ dbt.type_string() }}) as outcome,
        case_rows.agent_id,
        case_rows.strategy || ' strategy, jurisdiction ' || case_rows.jurisdiction as detail,
        case_rows.placed_amount as amount,
        case_rows.currency,
        case_rows._source_file as source_file,
        case_rows._source_row as source_row
    from cases
    inner join case_rows on cases.case_id = case_rows.case_id

    union all

    select
        timeline.case_id,
        timeline.occurred_at,
        timeline.record_kind,
        case timeline.record_kind
            when 'case_event' then 'cases_case_events'
            when 'call' then 'contacts_calls'
            else 'contacts_messages'
        end as source_table,
        timeline.record_id as source_id,
        timeline.activity,
        timeline.direction,
        timeline.outcome,
        timeline.agent_id,
        timeline.detail,
        cast(null as decimal(18, 2)) as amount,
        cast(null as {{ dbt.type_string() }}) as currency,
        timeline.source_file,
        timeline.source_row
    from timeline
    inner join cases on timeline.case_id = cases.case_id

    union all

    select
        ledger.case_id,
        ledger.occurred_at,
        ledger.record_kind,
        ledger.source_table,
        ledger.source_id,
        ledger.activity,
        cast(null as {{ dbt.type_string() }}) as direction,
        cast(null as {{ dbt.type_string() }}) as outcome,
        cast(null as {{ dbt.type_string() }}) as agent_id,
        ledger.detail,
        ledger.amount,
        ledger.currency,
        ledger.source_file,
        ledger.source_row
    from ledger
    inner join cases on ledger.case_id = cases.case_id

),

cited as (

    select
        records.case_id,
        records.source_table,
        records.source_id,
        breaches.breach_id,
        breaches.rule_id,
        breaches.is_unverifiable,
        breaches.parameters,
        case
            when
                {{ dbt.right(
                    dbt.concat(["','", 'breaches.evidence_ids']),
                    dbt.length('records.source_id') ~ ' + 1'
                ) }}
                = {{ dbt.concat(["','", 'records.source_id']) }}
                then true
            else false
        end as is_offending
    from records
    inner join breaches
        on
            records.case_id = breaches.case_id
            and {{ dbt.position(
                dbt.concat(["','", 'records.source_id', "','"]),
                dbt.concat(["','", 'breaches.evidence_ids', "','"])
            ) }} > 0
    where records.record_kind in ('case_event', 'call', 'message')

),

verdicts as (

    select
        case_id,
        source_table,
        source_id,
        {{ dbt.listagg(
            "case when is_offending and not is_unverifiable then rule_id end",
            "', '",
            "order by rule_id"
        ) }} as breached_rule_ids,
        {{ dbt.listagg(
            "case when is_offending and not is_unverifiable then rule_id || ' ' || parameters end",
            "'; '",
            "order by rule_id"
        ) }} as breach_parameters,
        {{ dbt.listagg(
            "case when is_offending and is_unverifiable then rule_id end",
            "', '",
            "order by rule_id"
        ) }} as unverifiable_rule_ids,
        {{ dbt.listagg(
            "case when is_offending then breach_id end", "', '", "order by breach_id"
        ) }} as breach_ids
    from cited
    group by case_id, source_table, source_id

),

citations as (

    select
        case_id,
        source_table,
        source_id,
        {{ dbt.listagg('rule_id', "', '", 'order by rule_id') }} as cited_by_rule_ids
    from (
        select distinct
            case_id,
            source_table,
            source_id,
            rule_id
        from cited
    ) as distinct_rules
    group by case_id, source_table, source_id

),

{%- if is_incremental() %}

-- The held rows before each restated case's restated_from: they stand, and the rewritten rows
-- are numbered on from them.
held_before as (

    select
        restated_cases.case_id,
        count(held.case_id) as records_before
    from restated_cases
    left join {{ this }} as held
        on
            restated_cases.case_id = held.case_id
            and held.occurred_at < restated_cases.restated_from
    group by restated_cases.case_id

),
{%- endif %}

final as (

    select
        records.case_id,
        cast(
            {%- if is_incremental() %}
            coalesce(held_before.records_before, 0) +
            {%- endif %}
            row_number() over (
                partition by records.case_id
                order by
                    records.occurred_at,
                    case when records.record_kind = 'case' then 0 else 1 end,
                    records.source_table,
                    records.source_id
            ) as {{ dbt.type_bigint() }}
        ) as record_seq,
        records.occurred_at,
        case
            when
                records.record_kind in ('case', 'case_event', 'call', 'message')
                and cases.has_known_time_zone
                then {{ compliance_local_timestamp('records.occurred_at', 'cases.time_zone') }}
        end as local_at,
        records.record_kind,
        records.source_table,
        records.source_id,
        records.activity,
        records.direction,
        records.outcome,
        records.agent_id,
        records.detail,
        records.amount,
        records.currency,
        case
            when records.record_kind in ('call', 'message')
                then
                    case
                        when verdicts.breached_rule_ids is not null then 'breach'
                        when verdicts.unverifiable_rule_ids is not null then 'unverifiable'
                        when cases.rule_pack is null then 'not_checked'
                        else 'allowed'
                    end
            when verdicts.breached_rule_ids is not null then 'breach'
        end as verdict,
        verdicts.breached_rule_ids,
        verdicts.breach_parameters,
        verdicts.unverifiable_rule_ids,
        verdicts.breach_ids,
        citations.cited_by_rule_ids,
        records.source_file,
        records.source_row,
        {{ newest_raw_load(case_file_staging_inputs()) }} as loaded_at
    from records
    inner join cases on records.case_id = cases.case_id
    left join verdicts
        on
            records.case_id = verdicts.case_id
            and records.source_table = verdicts.source_table
            and records.source_id = verdicts.source_id
    left join citations
        on
            records.case_id = citations.case_id
            and records.source_table = citations.source_table
            and records.source_id = citations.source_id
    {%- if is_incremental() %}
    left join held_before
        on records.case_id = held_before.case_id
    {%- endif %}

)

{%- if is_incremental() %},

-- Held rows of the restated tails that the batch does not write again: withdrawn.
withdrawn as (

    {{ withdrawn_rows(
        'true', ['case_id', 'record_seq'], restated_case_tails('held_rows', 'occurred_at')
    ) }}

)

-- Stored by case: a case file reads one case, and the row groups of the others are skipped
-- by their min/max case_id instead of scanned (each daily batch too).
select * from final
union all
select * from withdrawn
order by case_id, record_seq
{%- else %}

-- Stored by case: a case file reads one case, and the row groups of the others are skipped
-- by their min/max case_id instead of scanned.
select * from final
order by case_id, record_seq
{%- endif %}
