{#- Cash expected from promises (issue "Finance marts"): one row per pending promise falling due
    in the next 30 days (0 <= promised_date - as_of <= 30), its remaining amount weighted by the
    measured kept rate (by amount) of the promise's agent in its segment.
      remaining_amount_rc = max(promised_amount_rc - paid_amount_rc, 0); null when the promise
        has no reporting-currency amount (no FX rate): unknown, never zero
      kept rate (by amount) = promised_amount_rc of kept ÷ promised_amount_rc of decided promises
        (kept, partially_kept, broken) made in the lookback window before as_of
      basis: agent x segment when it holds at least `min_decided` decided promises, else the
        segment, else every promise ('all'); no decided promise at all: null rate, null figure
      expected_amount_rc = remaining_amount_rc × kept rate, rounded half away from zero to
        cents in exact decimals (remaining × kept ÷ decided: not the rounded kept_rate_used,
        nor a floating-point rate, which rounds 35.035 to 35.03)
    Parameters: var cash_expected {lookback_days, min_decided} (config/amicable.yml). -#}
{%- set cfg = var('cash_expected', {}) -%}
{%- set lookback_days = cfg.get('lookback_days', 365) | int -%}
{%- set min_decided = cfg.get('min_decided', 5) | int -%}

with

promises as (

    select * from {{ ref('fct_promises') }}

),

decided as (

    select
        agent_id,
        segment,
        outcome,
        promised_amount_rc
    from promises
    where
        is_decided
        and promised_amount_rc is not null
        and cast(made_at as date) > {{ dbt.dateadd('day', -lookback_days, as_of_date()) }}
        and cast(made_at as date) <= {{ as_of_date() }}

),

rates_by_cell as (

    {%- for basis, keys in [
        ('agent_segment', ['agent_id', 'segment']),
        ('segment', ['segment']),
        ('all', []),
    ] %}
    select
        '{{ basis }}' as basis,
        {{ "agent_id" if 'agent_id' in keys else "cast(null as " ~ dbt.type_string() ~ ")" }}
            as agent_id,
        {{ "segment" if 'segment' in keys else "cast(null as " ~ dbt.type_string() ~ ")" }}
            as segment,
        count(*) as decided_count,
        sum(case when outcome = 'kept' then promised_amount_rc else 0 end) as kept_amount_rc,
        sum(promised_amount_rc) as decided_amount_rc
    from decided
    {% if keys %}group by {{ keys | join(', ') }}{% endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

upcoming as (

    select
        promise_id,
        case_id,
        debtor_id,
        agent_id,
        segment,
        promised_date,
        currency,
        reporting_currency,
        {{ dbt.datediff(as_of_date(), 'promised_date', 'day') }} as days_until_due,
        case
            when promised_amount_rc is null then null  -- no FX rate: unknown, never zero
            when promised_amount_rc - coalesce(paid_amount_rc, 0) > 0
                then promised_amount_rc - coalesce(paid_amount_rc, 0)
            else 0
        end as remaining_amount_rc
    from promises
    where
        outcome = 'pending'
        and promised_date >= {{ as_of_date() }}
        and promised_date <= {{ dbt.dateadd('day', 30, as_of_date()) }}

),

weighted as (

    select
        case
            when agent_cell.decided_count >= {{ min_decided }} then 'agent_segment'
            when segment_cell.decided_count >= {{ min_decided }} then 'segment'
            when all_cell.decided_count > 0 then 'all'
        end as kept_rate_basis,
        {%- for amount in ['kept_amount_rc', 'decided_amount_rc'] %}
        case
            when agent_cell.decided_count >= {{ min_decided }} then agent_cell.{{ amount }}
            when segment_cell.decided_count >= {{ min_decided }} then segment_cell.{{ amount }}
            when all_cell.decided_count > 0 then all_cell.{{ amount }}
        end as rate_{{ amount }},
        {%- endfor %}
        upcoming.*
    from upcoming
    left join rates_by_cell as agent_cell
        on
            agent_cell.basis = 'agent_segment'
            and upcoming.agent_id = agent_cell.agent_id
            and upcoming.segment = agent_cell.segment
    left join rates_by_cell as segment_cell
        on
            segment_cell.basis = 'segment'
            and upcoming.segment = segment_cell.segment
    left join rates_by_cell as all_cell
        on all_cell.basis = 'all'

),

final as (

    select
        promise_id,
        case_id,
        debtor_id,
        agent_id,
        segment,
        promised_date,
        cast(days_until_due as {{ dbt.type_int() }}) as days_until_due,
        days_until_due <= 7 as is_due_within_7_days,
        currency,
        reporting_currency,
        cast(remaining_amount_rc as decimal(18, 2)) as remaining_amount_rc,
        kept_rate_basis,
        cast(
            rate_kept_amount_rc / nullif(rate_decided_amount_rc, 0) as decimal(9, 6)
        ) as kept_rate_used,
        -- remaining × kept ÷ decided, exactly (finance_round_ratio); both sides times 100 so
        -- that each has at most 2 decimals, as the macro needs
        cast({{ finance_round_ratio(
            'remaining_amount_rc * rate_kept_amount_rc * 100', 'rate_decided_amount_rc * 100'
        ) }} as decimal(18, 2)) as expected_amount_rc
    from weighted

)

select * from final
