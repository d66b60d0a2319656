{#- Every contact with a debtor about a case, calls and messages alike, either direction, up to
    as_of (DESIGN.md §4 "Case flow" and "Agents"). A call attempt is an outbound call; a
    right-party contact (RPC) is a call whose outcome is a conversation with the debtor:
    right_party_contact, promise_to_pay, refusal or dispute. channel is `call` for a call, the
    message's channel otherwise (email, sms, letter, registered_letter, portal); template_id is
    the message's template (null for calls and for messages without one).
    Incremental like fct_case_timeline: a build rewrites the contacts loaded since the last one
    (loaded_at: the staging row's `_loaded_at`) and those dated after the latest date it holds,
    by contact key; the post-hook removes a contact whose latest version left the scope (its
    case cleared, its date moved past as_of). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['contact_kind', 'contact_id'],
    on_schema_change='fail',
    post_hook="{{ remove_records_out_of_scope(
        'contact_kind', 'contact_id', record_sources(['call', 'message'])
    ) }}"
) }}
with

calls as (

    select * from {{ ref('stg_contacts__calls') }}
    {{ loaded_or_dated_since_last_build('_loaded_at', 'started_at', 'contact_at') }}

),

messages as (

    select * from {{ ref('stg_contacts__messages') }}
    {{ loaded_or_dated_since_last_build('_loaded_at', 'sent_at', 'contact_at') }}

),

contacts as (

    select
        contact_id,
        case_id,
        debtor_id,
        agent_id,
        'call' as contact_kind,
        'call' as channel,
        cast(null as {{ dbt.type_string() }}) as template_id,
        direction,
        started_at as contact_at,
        outcome,
        _loaded_at as loaded_at
    from calls

    union all

    select
        contact_id,
        case_id,
        debtor_id,
        agent_id,
        'message' as contact_kind,
        channel,
        template_id,
        direction,
        sent_at as contact_at,
        outcome,
        _loaded_at as loaded_at
    from messages

),

final as (

    select
        contact_id,
        case_id,
        debtor_id,
        agent_id,
        contact_kind,
        channel,
        template_id,
        direction,
        contact_at,
        cast(contact_at as date) as contact_date,
        outcome,
        case
            when contact_kind = 'call' and direction = 'outbound' then true else false
        end as is_call_attempt,
        case
            when
                contact_kind = 'call'
                and outcome in ('right_party_contact', 'promise_to_pay', 'refusal', 'dispute')
                then true
            else false
        end as is_right_party_contact,
        loaded_at
    from contacts
    where
        case_id is not null
        and cast(contact_at as date) <= {{ as_of_date() }}

)

select * from final
