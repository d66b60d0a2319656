-- Channels compared over a month range (marts.fct_channel_effectiveness), one row per channel,
-- or per channel and template: the mart's counts and amounts summed (an amount is null when
-- one of its rows is: a payment without an FX rate; a cost is null for a channel without a
-- configured cost), and the ratios recomputed over the selection: rpc_rate = right-party
-- contacts ÷ contacts (calls only: null for messages, which never are one), promise_rate =
-- promises ÷ contacts, collected_30d_per_contact_rc = collected within 30 days ÷ contacts,
-- cost_per_collected_unit = cost ÷ collected within 30 days (null when nothing was collected).
-- open_windows: some contacts are less than 30 days old at the build's as-of date, so the
-- figures can still grow. Channels in a fixed order, templates by name.
-- Parameters: by_template (true: per template; false: template `all`), from month, to month
-- ('YYYY-MM', both included), segment, segment, stage, stage ('all' is every one).
with picked as (
    select
        *,
        case when ? then template_id else 'all' end as template_shown
    from marts.fct_channel_effectiveness
    where
        strftime(period_month, '%Y-%m') between ? and ?
        and (? = 'all' or segment = ?)
        and (? = 'all' or stage = ?)
),

summed as (
    select
        channel,
        template_shown as template_id,
        sum(contacts) as contacts,
        sum(right_party_contacts) as right_party_contacts,
        sum(promises) as promises,
        sum(payments_7d) as payments_7d,
        case when count(*) = count(collected_7d_rc) then sum(collected_7d_rc) end
            as collected_7d_rc,
        sum(payments_30d) as payments_30d,
        case when count(*) = count(collected_30d_rc) then sum(collected_30d_rc) end
            as collected_30d_rc,
        case when count(*) = count(cost_rc) then sum(cost_rc) end as cost_rc,
        bool_or(not is_window_complete) as open_windows,
        max(reporting_currency) as reporting_currency
    from picked
    group by channel, template_shown
)

select
    channel,
    template_id,
    cast(contacts as integer) as contacts,
    cast(right_party_contacts as integer) as right_party_contacts,
    case
        when channel = 'call' then round(right_party_contacts / nullif(contacts, 0), 4)
    end as rpc_rate,
    cast(promises as integer) as promises,
    round(promises / nullif(contacts, 0), 4) as promise_rate,
    cast(payments_7d as integer) as payments_7d,
    collected_7d_rc,
    cast(payments_30d as integer) as payments_30d,
    collected_30d_rc,
    -- the quotient to 10 places before the cents: DuckDB divides decimals in floating point,
    -- where 2.01 / 2 is 1.00499... (1.00, not 1.01)
    round(cast(collected_30d_rc / nullif(contacts, 0) as decimal(38, 10)), 2)
        as collected_30d_per_contact_rc,
    cost_rc,
    round(cost_rc / nullif(collected_30d_rc, 0), 6) as cost_per_collected_unit,
    open_windows,
    reporting_currency
from summed
order by
    case channel
        when 'call' then 1
        when 'email' then 2
        when 'sms' then 3
        when 'letter' then 4
        when 'registered_letter' then 5
        when 'portal' then 6
        else 7
    end,
    template_id
