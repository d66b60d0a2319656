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

{#- (case_id, restated_from) of every case whose file may change, and the time from which it
    is rewritten (its rows at or after restated_from; record_seq numbers them on from the held
    rows before it, which cannot have changed):
      - every case whose ledger rows (int_case_file_ledger: the records, their amounts, dates,
        files and rows) or timeline rows (fct_case_timeline: events, calls, messages) are not
        those the file holds, either way: a new, corrected, re-sent or moved record, and what
        a later as-of date brings in (a payment's value date can bring an allocation in), from
        the earliest occurred_at of a differing row, old or new (a day's new contacts rewrite
        the end of a file, not the whole of it);
    and from its beginning (restated_from 1900-01-01, the whole file):
      - a case whose record was loaded since the model's last build, or opened on or after
        the latest day the file holds (the case row, its time zone and rule pack);
      - every case of a debtor whose customer record was loaded since (time zone);
      - every case whose breaches (fct_compliance_breaches, by breach_id) are not those the
        file holds (its offending records' breach_ids), either way: a breach can come or go
        with the as-of date alone, and it cites records before its own (cited_by_rule_ids);
        a case whose breaches and records are unchanged keeps its file (case_file_breaches_changed).
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
        select {{ timeline_columns | join(', ') | replace('source_id', 'record_id as source_id') }}
        from {{ ref('fct_case_timeline') }}
    {%- endset -%}
    {%- set held_timeline -%}
        select {{ timeline_columns | join(', ') }} from {{ this }}
        where record_kind in ('case_event', 'call', 'message')
    {%- endset -%}
    {%- set whole_file = "cast('1900-01-01' as " ~ dbt.type_timestamp() ~ ")" -%}
    {%- set kinds = {
        'ledger': (ledger, ledger_columns),
        'held_ledger': (held_ledger, ledger_columns),
        'timeline': (timeline, timeline_columns),
        'held_timeline': (held_timeline, timeline_columns),
    } -%}
    {#- Each kind of row as the inputs give it now, and as the file holds it. -#}
    {%- set comparisons = [('ledger', 'held_ledger'), ('timeline', 'held_timeline')] -%}
    with
    {% for kind, spec in kinds.items() %}
    {{ kind }}_fingerprints as {{ materialized_cte() }} (

        select
            case_id,
            count(*) as records,
            sum({{ row_fingerprint(spec[1]) }}) as fingerprint
        from ({{ spec[0] }}) as rows_of_cases
        group by case_id

    ),
    {% endfor %}
    {#- The cases whose rows may differ: those whose count or sum of row fingerprints does
        (row_fingerprint); only their rows are compared column by column. -#}
    candidates as {{ materialized_cte() }} (
        {%- for current, held in comparisons %}
        {%- for first, second in [(current, held), (held, current)] %}
        select differing_cases.case_id
        from (
            select * from {{ first }}_fingerprints
            except
            select * from {{ second }}_fingerprints
        ) as differing_cases
        {%- if not loop.last %}
        union
        {%- endif %}
        {%- endfor %}
        {%- if not loop.last %}
        union
        {%- endif %}
        {%- endfor %}
    )

    select
        case_id,
        min(restated_from) as restated_from
    from (
        {#- The candidates' rows that one side holds more often than the other: +1 per row
            written, -1 per row held, summed per distinct row (what `except all` either way
            gives, in one aggregation instead of two set operations). #}
        {%- for current, held in comparisons %}
        select
            case_id,
            occurred_at as restated_from
        from (
            select candidate_rows.*, 1 as side
            from ({{ kinds[current][0] }}) as candidate_rows
            where candidate_rows.case_id in (select candidates.case_id from candidates)
            union all
            select candidate_rows.*, -1 as side
            from ({{ kinds[held][0] }}) as candidate_rows
            where candidate_rows.case_id in (select candidates.case_id from candidates)
        ) as both_sides
        group by {{ kinds[current][1] | join(', ') }}
        having sum(side) <> 0

        union all
        {% endfor %}
        select
            loaded_cases.case_id,
            {{ whole_file }} as restated_from
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

        union all

        select
            changed_breaches.case_id,
            {{ whole_file }} as restated_from
        from ({{ case_file_breaches_changed() }}) as changed_breaches
    ) as restatements
    group by case_id
{%- endmacro %}

{#- (case_id) of every case whose breaches in fct_compliance_breaches are not those the case
    file holds: a breach is listed in the breach_ids (", "-separated) of its offending record,
    so the two sets are equal when every current breach_id is in its case's held lists and both
    sides count as many (twice the ids of a list: its length less that of the list without its
    separators, plus 2); breach_id is unique (a data test of fct_compliance_breaches). A breach
    listed in no record or in two (its offending record not in the file, or two records sharing
    its source id) makes the counts differ on every build: its case is then rewritten whole each
    time, as every case with a breach was before, which is slower but never stale. -#}
{% macro case_file_breaches_changed() -%}
    {%- set separator = "', '" -%}
    {%- set ids_twice -%}
        {{ dbt.length('held.breach_ids') }}
        - {{ dbt.length(dbt.replace('held.breach_ids', separator, "''")) }} + 2
    {%- endset -%}
    with
    current_breaches as (
        select case_id, breach_id from {{ ref('fct_compliance_breaches') }}
    ),
    held_lists as (
        select held.case_id, held.breach_ids, {{ ids_twice }} as ids_twice
        from {{ this }} as held
        where held.breach_ids is not null
    ),
    current_counts as (
        select case_id, 2 * count(*) as ids_twice from current_breaches group by case_id
    ),
    held_counts as (
        select case_id, sum(ids_twice) as ids_twice from held_lists group by case_id
    )
    select coalesce(current_counts.case_id, held_counts.case_id) as case_id
    from current_counts
    full outer join held_counts on current_counts.case_id = held_counts.case_id
    where coalesce(current_counts.ids_twice, 0) <> coalesce(held_counts.ids_twice, 0)
    union
    select current_breaches.case_id
    from current_breaches
    where not exists (
        select 1
        from held_lists
        where
            held_lists.case_id = current_breaches.case_id
            and {{ dbt.position(
                dbt.concat([separator, 'current_breaches.breach_id', separator]),
                dbt.concat([separator, 'held_lists.breach_ids', separator])
            ) }} > 0
    )
{%- endmacro %}

{#- On an incremental run of fct_case_file, a `where` clause keeping the rows of the restated
    cases (the model's CTE restated_cases); on a full build, nothing. -#}
{% macro in_restated_cases() -%}
    {%- if is_incremental() %}
    where case_id in (select restated_cases.case_id from restated_cases)
    {%- endif %}
{%- endmacro %}

{#- On an incremental run of fct_case_file or int_compliance_timeline, a join keeping the rows
    of `rows` (the relation's alias) at or after their case's restated_from (the model's CTE
    restated_cases, one row per case), `occurred_at` being the row's time column; on a full
    build, nothing. A join, not a
    correlated `exists`: DuckDB runs that as a delim join over every (case, time) of `rows`
    (11M rows at xl, ~25 CPU s of a daily build). -#}
{% macro restated_case_tails(rows, occurred_at) -%}
    {%- if is_incremental() %}
    inner join restated_cases
        on
            {{ rows }}.case_id = restated_cases.case_id
            and {{ rows }}.{{ occurred_at }} >= restated_cases.restated_from
    {%- endif %}
{%- endmacro %}
