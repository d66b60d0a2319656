{#- The restatement scopes of the incremental compliance models: the tails of the cases whose
    timeline a daily build rewrites (int_compliance_timeline, delete+insert by item) and the
    cases whose breaches it rewrites whole (fct_compliance_breaches, delete+insert by case).
    Each model carries `loaded_at`; the staging rows loaded after the latest one it holds
    (last_build_load) are what the new files bring. An earlier as-of date, a changed config
    (rule packs, holidays) or dbt project rebuilds everything (orchestration/incremental.py). -#}

{#- (case_id, restated_from) of every case whose compliance timeline may change, and the
    moment from which it is rewritten (its items at or after restated_from): an item's row is
    the item itself, its case's context and the owner at its moment (int_ops_case_owners: an
    `assigned` event changes the owner from its own moment on), so
      - a call, message or case event loaded since the timeline's last build (a new record, a
        new version of one) restates its case from its moment, and the case the timeline
        holds it under from the moment held (a record moved to another time leaves its old
        place); a record that left that case (moved to another one, or dated after the as-of
        date) restates it whole: the breaches rewrite the cases whose timeline rows were
        written, and a case whose latest items left would have none written;
      - a call, message or case event dated after the latest day the timeline holds (a record
        an earlier as-of date left out) restates its case from its moment;
      - a case whose case record was loaded since (jurisdiction, owner), and every case of a
        debtor whose customer record was loaded since (segment, time zone), are restated
        whole (from 1900-01-01).
    A day's new contacts rewrite the end of a timeline, not the whole of it. -#}
{% macro compliance_timeline_restated_cases() -%}
    {%- set items = [
        (ref('stg_contacts__calls'), 'contact_id', 'started_at', 'contact'),
        (ref('stg_contacts__messages'), 'contact_id', 'sent_at', 'contact'),
        (ref('stg_cases__case_events'), 'event_id', 'occurred_at', 'event'),
    ] -%}
    {%- set last_day -%}
        (
            select coalesce(max(cast(held_day.occurred_at as date)), cast('1900-01-01' as date))
            from {{ this }} as held_day
        )
    {%- endset -%}
    {%- set whole_case = "cast('1900-01-01' as " ~ dbt.type_timestamp() ~ ")" -%}
    select
        case_id,
        min(restated_from) as restated_from
    from (
        {%- for relation, key, occurred_at, item_type in items %}
        select
            loaded.case_id,
            loaded.{{ occurred_at }} as restated_from
        from {{ relation }} as loaded
        where
            loaded._loaded_at > {{ last_build_load() }}
            or cast(loaded.{{ occurred_at }} as date) > {{ last_day }}

        union all

        -- the case holding a loaded record: from the moment held, or whole when the record
        -- left it (its version now is in another case, or after as_of)
        select
            held.case_id,
            case
                when stayed.{{ key }} is null then {{ whole_case }}
                else held.occurred_at
            end as restated_from
        from {{ this }} as held
        left join {{ relation }} as stayed
            on
                held.item_id = stayed.{{ key }}
                and held.case_id = stayed.case_id
                and cast(stayed.{{ occurred_at }} as date) <= {{ as_of_date() }}
        where
            held.item_type = '{{ item_type }}'
            and held.item_id in (
                select moved.{{ key }}
                from {{ relation }} as moved
                where moved._loaded_at > {{ last_build_load() }}
            )

        union all
        {% endfor %}
        select
            loaded_cases.case_id,
            {{ whole_case }}
        from {{ ref('stg_cases__cases') }} as loaded_cases
        where
            loaded_cases._loaded_at > {{ last_build_load() }}
            or loaded_cases.debtor_id in (
                select customers.debtor_id
                from {{ ref('stg_erp__customers') }} as customers
                where customers._loaded_at > {{ last_build_load() }}
            )
    ) as restatements
    where case_id is not null
    group by case_id
{%- endmacro %}

{#- (case_id) of every case whose breaches may change:
      - a case whose timeline rows were written since the breaches' last build (timeline
        `loaded_at` above the latest the breaches hold: the timeline's own scope above);
      - a case holding breaches that has no timeline row any more;
      - what the as-of date alone changes. The breaches hold no as-of date, but their latest
        occurred_at (a breach is dated on or before the as-of date of the build that found it)
        is on or before the last build's: from that day, `since`, every case with a step
        dated from since - max_days_after - 2 days to as_of - max_days_after for each
        required_before rule with max_days_after (a step is flagged once its window has closed
        before as_of; a local date is at most a day from the UTC one; the steps are the rule's
        own, compliance_required_steps, and for `first_contact` the case's earliest contact,
        not every row of the window's days: at a quarter of `xl` with nothing new, 307 cases
        restated instead of 2,952), every case with a
        closing event dated from since - years - 2 days to as_of - years + 1 day for each
        retention rule (flagged once the period has ended before as_of), each only where the
        rule applies (compliance_applies: the row's segment and jurisdiction, which a case
        whose customer or case record changed has rewritten anyway), and every case with a
        row dated after since (a record an earlier as-of date left out: the last build saw
        every row dated up to its as-of date, since or later). An earlier `since` (few
        breaches lately) only restates more cases. -#}
{% macro compliance_breaches_restated_cases(rules) -%}
    {%- set timeline = ref('int_compliance_timeline') -%}
    {%- set since -%}
        (
            select coalesce(max(cast(held_day.occurred_at as date)), cast('1900-01-01' as date))
            from {{ this }} as held_day
        )
    {%- endset -%}
    select written.case_id
    from {{ timeline }} as written
    where
        written.loaded_at > {{ last_build_load() }}
        or cast(written.occurred_at as date) > {{ since }}
        {%- for rule in rules if rule.kind == 'retention' %}
        or (
            {{ compliance_applies(rule, 'written') }}
            and written.event_type = 'closed'
            and cast(written.occurred_at as date)
            >= {{ dbt.dateadd('day', -2, dbt.dateadd('year', -rule.params.years, since)) }}
            and cast(written.occurred_at as date)
            <= {{ dbt.dateadd('day', 1, dbt.dateadd('year', -rule.params.years, as_of_date())) }}
        )
        {%- endfor %}

    {%- for rule in rules if rule.kind == 'required_before' and rule.params.max_days_after is not none %}
    {%- set first_day = dbt.dateadd('day', -(rule.params.max_days_after + 2), since) %}
    {%- set last_day = dbt.dateadd('day', -rule.params.max_days_after, as_of_date()) %}
    {%- set kinds = compliance_required_steps(rule.params, 'step') %}
    {%- if kinds %}

    union

    select step.case_id
    from {{ timeline }} as step
    where
        {{ compliance_applies(rule, 'step') }}
        and cast(step.occurred_at as date) >= {{ first_day }}
        and cast(step.occurred_at as date) <= {{ last_day }}
        and ({{ kinds | join(' or ') }})
    {%- endif %}
    {%- if 'first_contact' in rule.params.steps %}

    union

    select first_contact.case_id
    from {{ timeline }} as first_contact
    where
        {{ compliance_applies(rule, 'first_contact') }}
        and first_contact.item_type = 'contact'
    group by first_contact.case_id
    having
        cast(min(first_contact.occurred_at) as date) >= {{ first_day }}
        and cast(min(first_contact.occurred_at) as date) <= {{ last_day }}
    {%- endif %}
    {%- endfor %}

    union

    select held.case_id
    from {{ this }} as held
    where held.case_id not in (select timeline_cases.case_id from {{ timeline }} as timeline_cases)
{%- endmacro %}
