{#- Every contact with a debtor about a case, calls and messages alike, either direction, up to
    as_of (DESIGN.md §4 "Case flow" and "Agents"). A call attempt is an outbound call; a
    right-party contact (RPC) is a call whose outcome is a conversation with the debtor:
    right_party_contact, promise_to_pay, refusal or dispute. channel is `call` for a call, the
    message's channel otherwise (email, sms, letter, registered_letter, portal); template_id is
    the message's template (null for calls and for messages without one). -#}
with

calls as (

    select * from {{ ref('stg_contacts__calls') }}

),

messages as (

    select * from {{ ref('stg_contacts__messages') }}

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
        outcome
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
        outcome
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
        end as is_right_party_contact
    from contacts
    where
        case_id is not null
        and cast(contact_at as date) <= {{ as_of_date() }}

)

select * from final
