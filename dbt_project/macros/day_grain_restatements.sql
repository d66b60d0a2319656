{#- The restatement windows of the day-grain incremental models (int_ops_case_days,
    fct_agent_daily). Each such model carries `loaded_at`, the newest raw load its build had
    seen (newest_raw_load): on a daily build, the raw versions loaded after the latest one it
    holds (last_build_load) are what the new files bring. Old versions stay in raw, so a window
    covers what a record said before its correction as well as what it says now (a case event
    moved to another date, day or agent restates both places). -#}

{#- The newest `_loaded_at` of the raw `relations`: the value of `loaded_at` on the rows a
    build writes. -#}
{% macro newest_raw_load(relations) -%}
    greatest(
        {%- for relation in relations %}
        (select max(loaded._loaded_at) from {{ relation }} as loaded)
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    )
{%- endmacro %}

{#- The latest `loaded_at` the model holds (1900-01-01 when it holds nothing). -#}
{% macro last_build_load() -%}
    (
        select coalesce(max(built.loaded_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
        from {{ this }} as built
    )
{%- endmacro %}

{#- The latest day the model holds in `day_column` (1900-01-01 when it holds nothing): the
    as-of date of its last build, or an earlier day. -#}
{% macro last_built_day(day_column) -%}
    (
        select coalesce(max(built.{{ day_column }}), cast('1900-01-01' as date))
        from {{ this }} as built
    )
{%- endmacro %}

{#- Every raw version (old and new) of the keys of `relation` with a version loaded since the
    model's last build: `select {columns} from relation` restricted to those keys. With
    `compared` (the columns the model reads), only the keys that are new (no version loaded
    before) or whose versions differ in one of them: a re-sent row, or a correction of a
    column the model does not read, restates nothing. -#}
{% macro versions_of_keys_loaded_since_last_build(relation, key_column, columns, compared=none) -%}
    select {{ columns | join(', ') }}
    from {{ relation }} as versions
    where versions.{{ key_column }} in (
        {%- if compared %}
        select keyed.{{ key_column }}
        from {{ relation }} as keyed
        where keyed.{{ key_column }} in (
            select loaded.{{ key_column }}
            from {{ relation }} as loaded
            where loaded._loaded_at > {{ last_build_load() }}
        )
        group by keyed.{{ key_column }}
        having
            min(keyed._loaded_at) > {{ last_build_load() }}
            or count(distinct ({{ compared | join(', ') }})) > 1
        {%- else %}
        select loaded.{{ key_column }}
        from {{ relation }} as loaded
        where loaded._loaded_at > {{ last_build_load() }}
        {%- endif %}
    )
{%- endmacro %}

{#- Per case, the first day from which the new files can change its day-rows
    (int_ops_case_days), with the case's owners (record agent, assigned agents) in any version
    read: (case_id, restated_from). A case's rows on day D depend only on its record and on its
    stage_changed / closed / reopened / assigned events dated up to D, so a new or corrected
    event restates the case from the earlier of its old and new dates, and a new or corrected
    case record from its opening. -#}
{% macro cases_restated_since_last_build() -%}
    select
        case_id,
        min(restated_from) as restated_from
    from (
        select
            case_id,
            cast(opened_at as date) as restated_from
        from (
            {{ versions_of_keys_loaded_since_last_build(
                source('raw', 'cases_cases'),
                'case_id',
                ['case_id', 'opened_at'],
                ['opened_at', 'agent_id', 'debtor_id']
            ) }}
        ) as case_versions
        union all
        select
            case_id,
            cast(occurred_at as date) as restated_from
        from (
            {{ versions_of_keys_loaded_since_last_build(
                source('raw', 'cases_case_events'),
                'event_id',
                ['case_id', 'occurred_at', 'event_type'],
                ['case_id', 'occurred_at', 'event_type', 'payload']
            ) }}
        ) as event_versions
        where event_type in ('stage_changed', 'closed', 'reopened', 'assigned')
    ) as restatements
    where case_id is not null
    group by case_id
{%- endmacro %}

{#- The pre-hook of int_ops_case_days on a daily build: delete each restated case's rows from
    the day it is restated from; the model writes them again as they are now, so a row the
    case no longer has (a day now closed all day, an opening moved later) is gone. -#}
{% macro remove_restated_case_days() -%}
    {{ return(adapter.dispatch('remove_restated_case_days', 'amicable')()) }}
{%- endmacro %}

{#- Spark: Parquet tables take no DELETE; the table is written again without them
    (macros/spark_incremental.sql). -#}
{% macro spark__remove_restated_case_days() -%}
    {%- if is_incremental() %}
        {%- set restated_days -%}
            exists (
                select 1
                from ({{ cases_restated_since_last_build() }}) as restated
                where
                    held.case_id = restated.case_id
                    and held.day >= restated.restated_from
            )
        {%- endset -%}
        {%- do spark_delete_where(restated_days) -%}
    {%- endif %}
{%- endmacro %}

{% macro default__remove_restated_case_days() -%}
    {%- if is_incremental() %}
    delete from {{ this }} as held
    using ({{ cases_restated_since_last_build() }}) as restated
    where
        held.case_id = restated.case_id
        and held.day >= restated.restated_from
    {%- endif %}
{%- endmacro %}

{#- (invoice_id, day) of every payment whose dating the new files can change, from every raw
    version (old and new) of the allocations and bank entries loaded since the model's last
    build that are new or differ in what dates a payment: an allocation's posting day and its
    bank entry's value day; a bank entry's value day in any version (and whether it is a
    payment: credit_debit, is_reversal) and the posting day of each allocation naming it. -#}
{% macro payment_days_restated_since_last_build() -%}
    {%- set allocations = ref('int_payment_allocations_dated') -%}
    with

    allocation_versions as (

        {{ versions_of_keys_loaded_since_last_build(
            source('raw', 'erp_payment_allocations'),
            'allocation_id',
            ['invoice_id', 'payment_ref', 'allocated_at'],
            ['invoice_id', 'payment_ref', 'allocated_at', 'amount']
        ) }}

    ),

    entry_versions as (

        {{ versions_of_keys_loaded_since_last_build(
            source('raw', 'bank_entries'),
            'entry_ref',
            ['entry_ref', 'value_date'],
            ['value_date', 'credit_debit', 'is_reversal']
        ) }}

    )

    select
        allocation_versions.invoice_id,
        cast(allocation_versions.allocated_at as date) as day
    from allocation_versions
    union all
    select
        allocation_versions.invoice_id,
        cast(entries.value_date as date)
    from allocation_versions
    inner join {{ ref('stg_bank__entries') }} as entries
        on allocation_versions.payment_ref = entries.entry_ref
    union all
    select
        allocations.invoice_id,
        cast(entry_versions.value_date as date)
    from entry_versions
    inner join {{ allocations }} as allocations
        on entry_versions.entry_ref = allocations.payment_ref
    union all
    select
        allocations.invoice_id,
        cast(allocations.allocated_at as date)
    from entry_versions
    inner join {{ allocations }} as allocations
        on entry_versions.entry_ref = allocations.payment_ref
{%- endmacro %}

{#- The agent-days (agent_id, day) of fct_agent_daily that the new files can change, besides
    the days after the latest day it holds (every agent's): each row depends on the agent's
    team, the calls and promises the agent made that day, the cases the agent owns that day
    (int_ops_case_days) and the payments dated that day on those cases' debtors' invoices,
    at that day's FX rate. So:
      calls                 every version's agent and day (old and new);
      promise_made events   every version's actor and day; and the promises whose FX date
                            can move: promised after the latest day held (the FX date is the
                            earlier of the promised date and as_of), in a currency with a rate
                            loaded dated on or before the FX date, or of a case whose record
                            was loaded (its promises appear with it);
      case days             each case restated by cases_restated_since_last_build, from the
                            day it is restated from: the agents owning it now (its rows) and
                            every agent that owned it in any version of its record and of its
                            assigned events (they may have owned it before), every day to
                            as_of;
      payments              the (debtor, day) of every version of a loaded allocation (its
                            allocation day and its bank entry's value day), of the allocations
                            of a loaded bank entry (every version's value day and the
                            allocation day) and of a loaded invoice (every version's debtor),
                            and of every payment in a currency with a rate loaded dated on or
                            before it; credited to the agents owning a case of that debtor
                            that day (the case days above cover a change of owner);
      agents                a loaded agent record restates all of that agent's days. -#}
{% macro agent_days_restated_since_last_build() -%}
    {%- set max_history_days = 3660 -%}
    {%- set restated_cases -%}
        ({{ cases_restated_since_last_build() }})
    {%- endset -%}
    {%- set rates_loaded -%}
        (
            select
                currency,
                min(rate_date) as rate_date
            from {{ source('raw', 'fx_rates') }}
            where _loaded_at > {{ last_build_load() }}
            group by currency
        )
    {%- endset -%}
    with

    agent_versions as (

        select agent_id
        from {{ source('raw', 'cases_agents') }}
        where _loaded_at > {{ last_build_load() }}

    ),

    owners_restated as (

        {#- Every agent that owns, or may have owned, a restated case, from its restated day. -#}
        select
            case_versions.agent_id,
            restated.restated_from
        from {{ restated_cases }} as restated
        inner join {{ source('raw', 'cases_cases') }} as case_versions
            on restated.case_id = case_versions.case_id

        union all

        select
            {{ json_extract_text('event_versions.payload', 'agent_id') }} as agent_id,
            restated.restated_from
        from {{ restated_cases }} as restated
        inner join {{ source('raw', 'cases_case_events') }} as event_versions
            on restated.case_id = event_versions.case_id
        where event_versions.event_type = 'assigned'

    ),

    spans as (

        select
            agent_id,
            min(restated_from) as restated_from
        from (
            select
                agent_id,
                restated_from
            from owners_restated
            union all
            select
                agent_id,
                cast('1900-01-01' as date) as restated_from
            from agent_versions
        ) as starts
        where agent_id is not null
        group by agent_id

    ),

    day_offsets as (

        {{ dbt.generate_series(max_history_days) }}

    ),

    span_days as (

        select
            spans.agent_id,
            cast({{ dbt.dateadd('day', '1 - day_offsets.generated_number', as_of_date()) }} as date)
                as day
        from spans
        inner join day_offsets
            on
                cast({{ dbt.dateadd('day', '1 - day_offsets.generated_number', as_of_date()) }} as date)
                >= spans.restated_from

    ),

    invoice_versions as (

        {{ versions_of_keys_loaded_since_last_build(
            source('raw', 'erp_invoices'),
            'invoice_id',
            ['invoice_id', 'debtor_id'],
            ['debtor_id', 'currency']
        ) }}

    ),

    payment_days as (

        {#- (invoice_id or debtor_id, day) of every payment whose attribution can change. -#}
        select
            payments.invoice_id,
            cast(null as {{ dbt.type_string() }}) as debtor_id,
            payments.day
        from ({{ payment_days_restated_since_last_build() }}) as payments
        union all
        select
            null,
            invoice_versions.debtor_id,
            allocations.payment_date
        from invoice_versions
        inner join {{ ref('int_payment_allocations_dated') }} as allocations
            on invoice_versions.invoice_id = allocations.invoice_id
        union all
        select
            allocations.invoice_id,
            null,
            allocations.payment_date
        from {{ ref('int_payment_allocations_dated') }} as allocations
        inner join {{ ref('stg_erp__invoices') }} as invoices
            on allocations.invoice_id = invoices.invoice_id
        inner join {{ rates_loaded }} as rates
            on
                invoices.currency = rates.currency
                and allocations.payment_date >= rates.rate_date

    ),

    debtor_days as (

        select distinct
            coalesce(payment_days.debtor_id, invoices.debtor_id) as debtor_id,
            payment_days.day
        from payment_days
        left join {{ ref('stg_erp__invoices') }} as invoices
            on payment_days.invoice_id = invoices.invoice_id

    ),

    points as (

        select
            agent_id,
            cast(started_at as date) as day
        from (
            {{ versions_of_keys_loaded_since_last_build(
                source('raw', 'contacts_calls'),
                'contact_id',
                ['agent_id', 'started_at'],
                ['case_id', 'agent_id', 'direction', 'started_at', 'outcome']
            ) }}
        ) as call_versions

        union all

        select
            actor_id,
            cast(occurred_at as date)
        from (
            {{ versions_of_keys_loaded_since_last_build(
                source('raw', 'cases_case_events'),
                'event_id',
                ['actor_id', 'occurred_at', 'event_type'],
                ['case_id', 'actor_id', 'occurred_at', 'event_type', 'payload']
            ) }}
        ) as event_versions
        where event_type = 'promise_made'

        union all

        select
            promises.agent_id,
            cast(promises.made_at as date)
        from {{ ref('fct_promises') }} as promises
        left join {{ rates_loaded }} as rates
            on promises.currency = rates.currency
        where
            promises.promised_date > {{ last_built_day('activity_date') }}
            or rates.rate_date <= promises.promised_date
            or promises.case_id in (
                select loaded.case_id
                from {{ source('raw', 'cases_cases') }} as loaded
                where loaded._loaded_at > {{ last_build_load() }}
            )

        union all

        select
            case_days.agent_id,
            case_days.day
        from {{ ref('int_ops_case_days') }} as case_days
        inner join {{ restated_cases }} as restated
            on
                case_days.case_id = restated.case_id
                and case_days.day >= restated.restated_from

        union all

        select
            case_days.agent_id,
            case_days.day
        from {{ ref('int_ops_case_days') }} as case_days
        inner join debtor_days
            on
                case_days.debtor_id = debtor_days.debtor_id
                and case_days.day = debtor_days.day

    )

    select distinct
        agent_id,
        day
    from (
        select
            agent_id,
            day
        from points
        union all
        select
            agent_id,
            day
        from span_days
    ) as restated_days
    where agent_id is not null
{%- endmacro %}

{#- On a daily build of fct_agent_daily, the `and` condition keeping an input row of an
    agent-day the build writes: dated from `next_day` (the day after the latest held) or in
    the CTE `restated` (agent_days_restated_since_last_build), an uncorrelated IN: a correlated
    EXISTS made DuckDB de-duplicate the pairs of every input row of the history first. Emits
    nothing on a full build. -#}
{% macro in_restated_agent_days(agent_column, day_expression, next_day) -%}
    {%- if is_incremental() %}
    and (
        {{ day_expression }} >= {{ next_day }}
        or ({{ agent_column }}, {{ day_expression }}) in (
            select
                restated.agent_id,
                restated.day
            from restated
        )
    )
    {%- endif %}
{%- endmacro %}
