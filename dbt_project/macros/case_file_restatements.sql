{#- The restatement scope of the incremental case file (fct_case_file): the cases whose file a
    daily build rewrites whole (delete+insert by case). The mart carries `loaded_at`, the
    newest `_loaded_at` of its staging inputs when its rows were written (newest_raw_load); the
    staging rows loaded after the latest one it holds (last_build_load) are what the new files
    bring. -#}

{#- The staging inputs of the case file whose `_loaded_at` sets its `loaded_at`. -#}
{% macro case_file_staging_inputs() -%}
    {{ return([
        ref('stg_cases__cases'),
        ref('stg_cases__case_events'),
        ref('stg_contacts__calls'),
        ref('stg_contacts__messages'),
        ref('stg_erp__invoices'),
        ref('stg_erp__customers'),
        ref('stg_erp__payment_allocations'),
        ref('stg_bank__entries'),
    ]) }}
{%- endmacro %}

{#- (case_id) of every case whose file may change, rewritten whole (record_seq numbers it):
      - every case whose ledger rows (int_case_file_ledger: the records, their amounts, dates,
        files and rows) or timeline rows (fct_case_timeline: events, calls, messages) are not
        those the file holds, either way: a new, corrected, re-sent or moved record, and what
        a later as-of date brings in (a payment's value date can bring an allocation in);
      - a case whose record was loaded since the model's last build, or opened on or after
        the latest day the file holds (the case row, its time zone and rule pack);
      - every case of a debtor whose customer record was loaded since (time zone);
      - every case with a breach, in fct_compliance_breaches now or in the file as held (they
        are few, and a breach can come or go with the as-of date alone).
    An earlier as-of date, a changed config or dbt project rebuilds everything
    (orchestration/incremental.py). -#}
{% macro case_files_restated_since_last_build() -%}
    {%- set cases = ref('stg_cases__cases') -%}
    {%- set ledger_columns = [
        'case_id', 'occurred_at', 'record_kind', 'source_table', 'source_id', 'activity',
        'detail', 'amount', 'currency', 'source_file', 'source_row',
    ] -%}
    {%- set timeline_columns = [
        'case_id', 'occurred_at', 'record_kind', 'source_id', 'activity', 'direction',
        'outcome', 'agent_id', 'detail', 'source_file', 'source_row',
    ] -%}
    {%- set ledger -%}
        select {{ ledger_columns | join(', ') }} from {{ ref('int_case_file_ledger') }}
    {%- endset -%}
    {%- set held_ledger -%}
        select {{ ledger_columns | join(', ') }} from {{ this }}
        where record_kind in ('invoice', 'credit_note', 'payment_allocation', 'bank_entry')
    {%- endset -%}
    {%- set timeline -%}
        select {{ timeline_columns | join(', ') | replace('source_id', 'record_id') }}
        from {{ ref('fct_case_timeline') }}
    {%- endset -%}
    {%- set held_timeline -%}
        select {{ timeline_columns | join(', ') }} from {{ this }}
        where record_kind in ('case_event', 'call', 'message')
    {%- endset -%}
    {%- for first, second in [
        (ledger, held_ledger), (held_ledger, ledger),
        (timeline, held_timeline), (held_timeline, timeline),
    ] %}
    select differing.case_id
    from ({{ first }} except {{ second }}) as differing

    union
    {% endfor %}
    select loaded_cases.case_id
    from {{ cases }} as loaded_cases
    where
        loaded_cases._loaded_at > {{ last_build_load() }}
        or cast(loaded_cases.opened_at as date) >= (
            select coalesce(max(cast(held.occurred_at as date)), cast('1900-01-01' as date))
            from {{ this }} as held
        )
        or loaded_cases.debtor_id in (
            select customers.debtor_id
            from {{ ref('stg_erp__customers') }} as customers
            where customers._loaded_at > {{ last_build_load() }}
        )

    union

    select breaches.case_id
    from {{ ref('fct_compliance_breaches') }} as breaches

    union

    select held.case_id
    from {{ this }} as held
    where held.breach_ids is not null or held.cited_by_rule_ids is not null
{%- endmacro %}

{#- On an incremental run of fct_case_file, a `where` clause keeping the rows of the restated
    cases (the model's CTE restated_cases); on a full build, nothing. -#}
{% macro in_restated_cases() -%}
    {%- if is_incremental() %}
    where case_id in (select restated_cases.case_id from restated_cases)
    {%- endif %}
{%- endmacro %}
