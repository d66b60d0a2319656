{#- Credit exposure per debtor on the as-of date (issue "From watching to acting"): one row per
    debtor of the customer file, and per debtor without a customer record that has open items
    (segment `unknown`, as in fct_ar_ageing). Every amount is in the reporting currency.
      open_amount_rc, overdue_amount_rc, open_items: the debtor's rows of fct_ar_ageing at the
        as-of snapshot (overdue: days_past_due > 0); the month-end figure the same at the last
        month end before the as-of date's month (open_amount_month_end_rc; 0 when nothing was
        open), and change_since_month_end_rc = open − month end
      disputed_amount_rc: the as-of open amount of the debtor's invoices under a dispute open
        on the as-of date (a dispute_opened on or before it, no dispute_resolved on or before it)
      promised_amount_rc: what the debtor's pending promises still await,
        Σ max(promised_amount_rc − paid_amount_rc, 0) (as fct_cash_expected)
      credit_limit_rc: the customer's credit_limit (in the customer's currency) at the rate in
        force on the as-of date; null without a limit (or without a rate); limit_used_share =
        open ÷ limit, 4 decimals, and is_over_limit (open > limit): null without a positive
        limit
      days_beyond_terms: the open-amount-weighted mean of max(days_past_due, 0) over the as-of
        open items, 1 decimal (null when nothing is open); max_days_past_due: the oldest item's
    A sum is null when one of its amounts has no reporting-currency value (no FX rate): unknown,
    never a partial sum. -#}
with

customers as (

    select * from {{ ref('stg_erp__customers') }}

),

ageing as (

    select * from {{ ref('fct_ar_ageing') }}
    where snapshot_date in (
        {{ as_of_date() }},
        {{ dbt.last_day(dbt.dateadd('month', '-1', as_of_date()), 'month') }}
    )

),

events as (

    select * from {{ ref('stg_cases__case_events') }}
    where
        event_type in ('dispute_opened', 'dispute_resolved')
        and cast(occurred_at as date) <= {{ as_of_date() }}

),

promises as (

    select * from {{ ref('fct_promises') }}
    where outcome = 'pending'

),

fx_rates as (

    select * from {{ ref('stg_fx__rates') }}

),

as_of_dates as (

    select cast({{ as_of_date() }} as date) as rate_on

),

as_of_rates as (

    {{ fx_rates_on_dates('as_of_dates', 'rate_on', 'fx_rates') }}

),

open_disputes as (

    select distinct opened.disputed_invoice_id as invoice_id
    from events as opened
    where
        opened.event_type = 'dispute_opened'
        and not exists (
            select resolved.dispute_id from events as resolved
            where
                resolved.event_type = 'dispute_resolved'
                and resolved.dispute_id = opened.dispute_id
        )

),

as_of_items as (

    select
        ageing.*,
        case when open_disputes.invoice_id is not null then true else false end as is_disputed
    from ageing
    left join open_disputes on ageing.invoice_id = open_disputes.invoice_id
    where ageing.snapshot_date = {{ as_of_date() }}

),

as_of_figures as (

    select
        debtor_id,
        max(debtor_name) as debtor_name,
        max(segment) as segment,
        count(*) as open_items,
        case when count(*) = count(open_amount_rc) then sum(open_amount_rc) end
            as open_amount_rc,
        case
            when count(*) = count(open_amount_rc)
                then sum(case when days_past_due > 0 then open_amount_rc else 0 end)
        end as overdue_amount_rc,
        case
            when count(*) = count(open_amount_rc)
                then sum(case when is_disputed then open_amount_rc else 0 end)
        end as disputed_amount_rc,
        case
            when count(*) = count(open_amount_rc)
                then {{ finance_round_ratio(
                    'sum(open_amount_rc * greatest(days_past_due, 0))', 'sum(open_amount_rc)', 1
                ) }}
        end as days_beyond_terms,
        max(days_past_due) as max_days_past_due
    from as_of_items
    group by debtor_id

),

month_end_figures as (

    select
        debtor_id,
        case when count(*) = count(open_amount_rc) then sum(open_amount_rc) end
            as open_amount_month_end_rc
    from ageing
    where snapshot_date < {{ as_of_date() }}
    group by debtor_id

),

promised as (

    select
        debtor_id,
        case
            when count(*) = count(promised_amount_rc)
                then sum(greatest(promised_amount_rc - coalesce(paid_amount_rc, 0), 0))
        end as promised_amount_rc
    from promises
    group by debtor_id

),

debtors as (

    select
        debtor_id,
        debtor_name,
        segment,
        currency,
        credit_limit_amount
    from customers

    union all

    select
        debtor_id,
        debtor_name,
        segment,
        cast(null as {{ dbt.type_string() }}) as currency,
        cast(null as decimal(18, 2)) as credit_limit_amount
    from as_of_figures
    where as_of_figures.debtor_id not in (select customers.debtor_id from customers)

),

limits as (

    select
        debtors.*,
        cast(
            round(debtors.credit_limit_amount * as_of_rates.rate_to_reporting, 2)
            as decimal(18, 2)
        ) as credit_limit_rc
    from debtors
    left join as_of_rates on debtors.currency = as_of_rates.currency

),

figures as (

    select
        limits.debtor_id,
        limits.debtor_name,
        limits.segment,
        limits.currency,
        limits.credit_limit_amount,
        limits.credit_limit_rc,
        coalesce(as_of_figures.open_items, 0) as open_items,
        case
            when as_of_figures.debtor_id is null then 0 else as_of_figures.open_amount_rc
        end as open_amount_rc,
        case
            when as_of_figures.debtor_id is null then 0 else as_of_figures.overdue_amount_rc
        end as overdue_amount_rc,
        case
            when as_of_figures.debtor_id is null then 0 else as_of_figures.disputed_amount_rc
        end as disputed_amount_rc,
        case
            when promised.debtor_id is null then 0 else promised.promised_amount_rc
        end as promised_amount_rc,
        case
            when month_end_figures.debtor_id is null then 0
            else month_end_figures.open_amount_month_end_rc
        end as open_amount_month_end_rc,
        as_of_figures.days_beyond_terms,
        as_of_figures.max_days_past_due
    from limits
    left join as_of_figures on limits.debtor_id = as_of_figures.debtor_id
    left join month_end_figures on limits.debtor_id = month_end_figures.debtor_id
    left join promised on limits.debtor_id = promised.debtor_id

),

final as (

    select
        cast({{ as_of_date() }} as date) as as_of_date,
        debtor_id,
        debtor_name,
        segment,
        currency,
        open_items,
        cast(open_amount_rc as decimal(18, 2)) as open_amount_rc,
        cast(overdue_amount_rc as decimal(18, 2)) as overdue_amount_rc,
        cast(disputed_amount_rc as decimal(18, 2)) as disputed_amount_rc,
        cast(promised_amount_rc as decimal(18, 2)) as promised_amount_rc,
        credit_limit_amount,
        credit_limit_rc,
        cast(case
            when credit_limit_rc > 0
                then {{ round_double(
                    'cast(open_amount_rc as ' ~ finance_type_double() ~ ')'
                    ~ ' / cast(credit_limit_rc as ' ~ finance_type_double() ~ ')',
                    4
                ) }}
        end as {{ finance_type_double() }}) as limit_used_share,
        case when credit_limit_rc > 0 then open_amount_rc > credit_limit_rc end as is_over_limit,
        cast(days_beyond_terms as decimal(9, 1)) as days_beyond_terms,
        max_days_past_due,
        cast(open_amount_month_end_rc as decimal(18, 2)) as open_amount_month_end_rc,
        cast(open_amount_rc - open_amount_month_end_rc as decimal(18, 2))
            as change_since_month_end_rc,
        {{ reporting_currency() }} as reporting_currency
    from figures

)

select * from final
