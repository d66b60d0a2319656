{#- One query per compliance rule, by kind (DESIGN.md §5). Each reads the CTE `timeline`
    (int_compliance_timeline plus local_at / local_date) and `cases` (int_compliance_cases) of
    fct_compliance_breaches and returns rule_id, case_id, occurred_at, agent_id, evidence_ids
    (comma-separated, in time order) and is_unverifiable. Parameters: amicable/rule_packs.py. -#}
{% macro compliance_rule_query(rule) -%}
    {%- if rule.kind == 'frequency_window' -%}{{ compliance_frequency_window(rule) }}
    {%- elif rule.kind == 'quiet_hours' -%}{{ compliance_quiet_hours(rule) }}
    {%- elif rule.kind == 'blocking_event' -%}{{ compliance_blocking_event(rule) }}
    {%- elif rule.kind == 'required_before' -%}{{ compliance_required_before(rule) }}
    {%- elif rule.kind == 'forbidden_event' -%}{{ compliance_forbidden_event(rule) }}
    {%- elif rule.kind == 'retention' -%}{{ compliance_retention(rule) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("compliance rule " ~ rule.id ~ ": unknown kind " ~ rule.kind) }}
    {%- endif -%}
{%- endmacro %}

{% macro compliance_evidence(first, second) -%}
    {{ dbt.concat([first, "','", second]) }}
{%- endmacro %}

{#- More than max_attempts outbound calls of a case within window_days consecutive local days
    (the breach is each call that exceeds the limit; evidence: the calls of its window); or an
    outbound call within window_days after a conversation (right-party call, either direction),
    the conversation's local day counting as day 1. -#}
{% macro compliance_frequency_window(rule) -%}
    {%- set p = rule.params -%}
    {%- set span = p.window_days - 1 -%}
    {%- set rpc = ['right_party_contact', 'promise_to_pay', 'refusal', 'dispute'] -%}
    select
        '{{ rule.id }}' as rule_id,
        later.case_id,
        later.occurred_at,
        later.agent_id,
    {%- if p.max_attempts is not none %}
        {{ dbt.listagg('earlier.item_id', "','", 'order by earlier.occurred_at, earlier.item_id') }}
            as evidence_ids,
        false as is_unverifiable
    from timeline as later
    inner join timeline as earlier
        on
            later.case_id = earlier.case_id
            and earlier.channel = 'call'
            and earlier.direction = 'outbound'
            and earlier.local_date >= {{ dbt.dateadd('day', -span, 'later.local_date') }}
            and (
                earlier.occurred_at < later.occurred_at
                or (earlier.occurred_at = later.occurred_at and earlier.item_id <= later.item_id)
            )
    where
        later.channel = 'call'
        and later.direction = 'outbound'
        and {{ compliance_applies(rule, 'later') }}
    group by later.case_id, later.item_id, later.occurred_at, later.agent_id
    having count(*) > {{ p.max_attempts }}
    {%- else %}
        {{ compliance_evidence('earlier.item_id', 'later.item_id') }} as evidence_ids,
        false as is_unverifiable
    from (
        select
            later.*,
            talk.item_id as talk_id,
            row_number() over (
                partition by later.item_id order by talk.occurred_at desc, talk.item_id desc
            ) as talk_rank
        from timeline as later
        inner join timeline as talk
            on
                later.case_id = talk.case_id
                and talk.channel = 'call'
                and talk.outcome in {{ compliance_in_list(rpc) }}
                and talk.occurred_at < later.occurred_at
                and later.local_date <= {{ dbt.dateadd('day', span, 'talk.local_date') }}
        where
            later.channel = 'call'
            and later.direction = 'outbound'
            and {{ compliance_applies(rule, 'later') }}
    ) as later
    inner join timeline as earlier on later.talk_id = earlier.item_id
    where later.talk_rank = 1
    {%- endif %}
{%- endmacro %}

{#- Outbound contact (params.channels) before start or after end local time (both instants
    allowed), on a Sunday or on a public holiday of the case's jurisdiction. A debtor without a
    known time zone cannot be checked: each such contact is flagged apart, with rule id
    `<id>-UNKNOWN-TZ` and is_unverifiable = true. -#}
{% macro compliance_quiet_hours(rule) -%}
    {%- set p = rule.params -%}
    {%- set packs = compliance_rule_packs() -%}
    select
        case
            when has_known_time_zone then '{{ rule.id }}' else '{{ rule.id }}-UNKNOWN-TZ'
        end as rule_id,
        case_id,
        occurred_at,
        agent_id,
        item_id as evidence_ids,
        not has_known_time_zone as is_unverifiable
    from timeline
    where
        item_type = 'contact'
        and direction = 'outbound'
        and channel in {{ compliance_in_list(p.channels) }}
        and {{ compliance_applies(rule, 'timeline') }}
        and (
            not has_known_time_zone
            or {{ compliance_time_of_day('local_at') }} < {{ compliance_time_literal(p.start) }}
            or {{ compliance_time_of_day('local_at') }} > {{ compliance_time_literal(p.end) }}
            {%- if p.no_sundays %}
            or {{ compliance_is_sunday('local_date') }}
            {%- endif %}
            {%- if p.no_public_holidays %}
            {%- for code in (rule.jurisdictions or packs.holidays.keys()) %}
            {%- set days = packs.holidays.get(code, []) %}
            {%- if days %}
            or (
                jurisdiction = '{{ code }}'
                and cast(local_date as {{ dbt.type_string() }}) in {{ compliance_in_list(days) }}
            )
            {%- endif %}
            {%- endfor %}
            {%- endif %}
        )
{%- endmacro %}

{#- Outbound contact (params.channels) after a start_event, and before the first end_event
    after it (paired on the payload key pair_key, when set), unless it is a message with an
    allowed template. Evidence: the blocking event, then the contact. -#}
{% macro compliance_blocking_event(rule) -%}
    {%- set p = rule.params -%}
    select
        '{{ rule.id }}' as rule_id,
        case_id,
        occurred_at,
        agent_id,
        {{ compliance_evidence('start_id', 'item_id') }} as evidence_ids,
        false as is_unverifiable
    from (
        select
            contact.*,
            block.start_id,
            row_number() over (
                partition by contact.item_id order by block.started_at desc, block.start_id desc
            ) as block_rank
        from timeline as contact
        inner join (
            select
                start.case_id,
                start.item_id as start_id,
                start.occurred_at as started_at,
                {%- if p.end_event %}
                min(stop.occurred_at) as ended_at
                {%- else %}
                cast(null as {{ dbt.type_timestamp() }}) as ended_at
                {%- endif %}
            from timeline as start
            {%- if p.end_event %}
            left join timeline as stop
                on
                    start.case_id = stop.case_id
                    and stop.event_type = '{{ p.end_event }}'
                    and stop.occurred_at > start.occurred_at
                    {%- if p.pair_key %}
                    and {{ json_extract_text('stop.payload', p.pair_key) }}
                    = {{ json_extract_text('start.payload', p.pair_key) }}
                    {%- endif %}
            {%- endif %}
            where start.event_type = '{{ p.start_event }}'
            group by start.case_id, start.item_id, start.occurred_at
        ) as block
            on
                contact.case_id = block.case_id
                and contact.occurred_at > block.started_at
                and (block.ended_at is null or contact.occurred_at < block.ended_at)
        where
            contact.item_type = 'contact'
            and contact.direction = 'outbound'
            and contact.channel in {{ compliance_in_list(p.channels) }}
            {%- if p.allowed_templates %}
            and (
                contact.template_id is null
                or contact.template_id not in {{ compliance_in_list(p.allowed_templates) }}
            )
            {%- endif %}
            and {{ compliance_applies(rule, 'contact') }}
    ) as blocked
    where block_rank = 1
{%- endmacro %}

{#- Each step (params.steps: `outbound_contact`, every outbound contact but the required
    message; `first_contact`, the case's first contact; or an event type) needs the required
    message (compliance_required_message) sent at or before it (min_days_before 0), at least
    min_days_before days before it, or at the latest max_days_after days after it, in the
    debtor's local calendar days (timeline.local_date; a step is flagged only once that window
    has closed before as_of). Evidence: the step. -#}
{% macro compliance_required_before(rule) -%}
    {%- set p = rule.params -%}
    {%- set kinds = compliance_required_steps(p, 'items') -%}
    {%- if 'first_contact' in p.steps -%}
        {%- do kinds.append("(items.item_type = 'contact' and items.item_rank = 1)") -%}
    {%- endif -%}
    select
        '{{ rule.id }}' as rule_id,
        step.case_id,
        step.occurred_at,
        step.agent_id,
        step.item_id as evidence_ids,
        false as is_unverifiable
    from (
        select *
        from (
            {#- The rule's cases only (a case's rows all apply or none do), before any rank. #}
            select
                timeline.*
                {%- if 'first_contact' in p.steps %},
                row_number() over (
                    partition by case_id, item_type order by occurred_at, item_id
                ) as item_rank
                {%- endif %}
            from timeline
            where {{ compliance_applies(rule, 'timeline') }}
        ) as items
        where
            {%- for kind in kinds %}
            {{ 'or ' if not loop.first }}{{ kind }}
            {%- endfor %}
    ) as step
    {#- Without the required message in its window: an anti-join (a correlated `not exists`
        would be a delim join over every step). #}
    left join (
        select
            case_id,
            occurred_at,
            local_date
        from timeline as required
        where {{ compliance_required_message(p, 'required') }}
    ) as required
        on
            step.case_id = required.case_id
            {%- if p.max_days_after is not none %}
            and {{ dbt.datediff('step.local_date', 'required.local_date', 'day') }}
            <= {{ p.max_days_after }}
            {%- elif p.min_days_before == 0 %}
            and required.occurred_at <= step.occurred_at
            {%- else %}
            and {{ dbt.datediff('required.local_date', 'step.local_date', 'day') }}
            >= {{ p.min_days_before }}
            {%- endif %}
    where
        required.case_id is null
        {%- if p.max_days_after is not none %}
        and {{ dbt.datediff('step.local_date', as_of_date(), 'day') }} > {{ p.max_days_after }}
        {%- endif %}
{%- endmacro %}

{#- The step rows of a required_before rule's params `p` in `alias`, as a list of conditions
    (any one makes a step): every outbound contact but the required message
    (`outbound_contact`), an event of a listed type. Not `first_contact`: a row's rank in its
    case, which each caller finds its own way (compliance_required_before ranks the rows,
    compliance_breaches_restated_cases takes the case's earliest contact). -#}
{% macro compliance_required_steps(p, alias) -%}
    {%- set kinds = [] -%}
    {%- if 'outbound_contact' in p.steps -%}
        {%- do kinds.append(
            "(" ~ alias ~ ".item_type = 'contact' and " ~ alias ~ ".direction = 'outbound' and not ("
            ~ compliance_required_message(p, alias) ~ "))"
        ) -%}
    {%- endif -%}
    {%- set events = [] -%}
    {%- for step in p.steps if step not in ('first_contact', 'outbound_contact') -%}
        {%- do events.append(step) -%}
    {%- endfor -%}
    {%- if events -%}
        {%- do kinds.append(alias ~ ".event_type in " ~ compliance_in_list(events)) -%}
    {%- endif -%}
    {{ return(kinds) }}
{%- endmacro %}

{#- The message a required_before rule requires: outbound, with params.required_template, on
    one of params.required_channels. -#}
{% macro compliance_required_message(p, alias) -%}
    {{ alias }}.item_type = 'contact'
    and {{ alias }}.direction = 'outbound'
    and coalesce({{ alias }}.template_id, '') = '{{ p.required_template }}'
    and {{ alias }}.channel in {{ compliance_in_list(p.required_channels) }}
{%- endmacro %}

{#- An event of event_type; with only_while_amicable, only before any litigation referral of
    the case. Evidence: the event. -#}
{% macro compliance_forbidden_event(rule) -%}
    {%- set p = rule.params -%}
    select
        '{{ rule.id }}' as rule_id,
        fee.case_id,
        fee.occurred_at,
        fee.agent_id,
        fee.item_id as evidence_ids,
        false as is_unverifiable
    from timeline as fee
    where
        fee.event_type = '{{ p.event_type }}'
        and {{ compliance_applies(rule, 'fee') }}
        {%- if p.only_while_amicable %}
        and not exists (
            select 1
            from timeline as referral
            where
                referral.case_id = fee.case_id
                and referral.event_type = 'referred_to_litigation'
                and referral.occurred_at <= fee.occurred_at
        )
        {%- endif %}
{%- endmacro %}

{#- A case closed (its latest closed/reopened event is `closed`) more than `years` years
    before as_of whose debtor's personal data is still held. occurred_at: the end of the
    retention period. Evidence: the closing event. -#}
{% macro compliance_retention(rule) -%}
    {%- set p = rule.params -%}
    select
        '{{ rule.id }}' as rule_id,
        closing.case_id,
        {{ dbt.dateadd('year', p.years, 'closing.occurred_at') }} as occurred_at,
        closing.agent_id,
        closing.item_id as evidence_ids,
        false as is_unverifiable
    from (
        select
            timeline.*,
            row_number() over (
                partition by case_id order by occurred_at desc, item_id desc
            ) as latest
        from timeline
        where event_type in ('closed', 'reopened')
    ) as closing
    inner join cases on closing.case_id = cases.case_id
    where
        closing.latest = 1
        and closing.event_type = 'closed'
        and cases.has_personal_data
        and {{ compliance_applies(rule, 'closing') }}
        and cast({{ dbt.dateadd('year', p.years, 'closing.occurred_at') }} as date)
        < {{ as_of_date() }}
{%- endmacro %}
