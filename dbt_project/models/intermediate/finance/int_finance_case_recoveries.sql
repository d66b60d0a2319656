{#- Recovery of each placed case at each month on book (DESIGN.md §4 Recovery). Month on book
    0 is the month the case was opened; the last is the as_of month (partial, ends on as_of).
    Payments = dated allocations (int_payment_allocations_dated) to invoices of the case's
    debtor with a payment date from the case's opening date on; a payment goes to the
    debtor's latest case opened on or before its date (never counted twice). Amounts in the
    reporting currency: placed amount at the opening date's rate, each allocation at its
    payment date's rate, rounded to the cent; recovered to date is capped at the placed amount.
    A table rebuilt by every build: an incremental version (the touched debtors' cases, every
    case's as_of month) cost more per daily build than this whole model, since the as_of month
    still attributes every payment of the history (benchmarks/results/case_recoveries_months.md). -#}
{%- set max_months_on_book = 1200 -%}

with

cases as (

    select * from {{ ref('stg_cases__cases') }}

),

invoices as (

    select * from {{ ref('stg_erp__invoices') }}

),

payment_allocations as (

    select * from {{ ref('int_payment_allocations_dated') }}

),

fx_rates as (

    select * from {{ ref('stg_fx__rates') }}

),

placed as (

    select
        case_id,
        debtor_id,
        opened_at,
        cast(opened_at as date) as opened_date,
        cast({{ dbt.date_trunc('month', 'opened_at') }} as date) as placement_month,
        placed_amount,
        currency
    from cases
    where cast(opened_at as date) <= {{ as_of_date() }}

),

opened_dates as (

    select distinct opened_date from placed

),

opened_date_rates as (

    {{ fx_rates_on_dates('opened_dates', 'opened_date', 'fx_rates') }}

),

placed_rc as (

    select
        placed.*,
        cast(
            round(placed.placed_amount * opened_date_rates.rate_to_reporting, 2)
            as decimal(18, 2)
        ) as placed_amount_rc
    from placed
    left join opened_date_rates
        on
            placed.opened_date = opened_date_rates.opened_date
            and placed.currency = opened_date_rates.currency

),

debtor_payments as (

    select
        payment_allocations.allocation_id,
        invoices.debtor_id,
        payment_allocations.payment_date,
        payment_allocations.allocated_amount,
        invoices.currency
    from payment_allocations
    inner join invoices
        on payment_allocations.invoice_id = invoices.invoice_id
    where
        invoices.document_type = 'invoice'
        and payment_allocations.payment_date <= {{ as_of_date() }}

),

attributed as (

    select
        debtor_payments.*,
        placed.case_id,
        row_number() over (
            partition by debtor_payments.allocation_id
            order by placed.opened_at desc, placed.case_id desc
        ) as case_rank
    from debtor_payments
    inner join placed
        on
            debtor_payments.debtor_id = placed.debtor_id
            and debtor_payments.payment_date >= placed.opened_date

),

payment_dates as (

    select distinct payment_date from attributed

),

payment_date_rates as (

    {{ fx_rates_on_dates('payment_dates', 'payment_date', 'fx_rates') }}

),

case_payments as (

    select
        attributed.case_id,
        attributed.payment_date,
        cast(
            round(attributed.allocated_amount * payment_date_rates.rate_to_reporting, 2)
            as decimal(18, 2)
        ) as paid_amount_rc
    from attributed
    left join payment_date_rates
        on
            attributed.payment_date = payment_date_rates.payment_date
            and attributed.currency = payment_date_rates.currency
    where attributed.case_rank = 1

),

month_offsets as (

    {{ dbt.generate_series(max_months_on_book) }}

),

calendar_months as (

    {#- Every month from the earliest placement month to the as_of month, generated once: a
        case's months are those from its placement month on (generating the offsets once per
        case and dropping those after as_of cost 1,200 rows per case). -#}
    select
        cast(
            {{ dbt.dateadd('month', 'month_offsets.generated_number - 1', 'first_placement.placement_month') }}
            as date
        ) as calendar_month
    from month_offsets
    cross join (
        select min(placed_rc.placement_month) as placement_month from placed_rc
    ) as first_placement
    where
        {{ dbt.dateadd('month', 'month_offsets.generated_number - 1', 'first_placement.placement_month') }}
        <= {{ as_of_date() }}

),

months_on_book as (

    select
        placed_rc.case_id,
        placed_rc.placement_month,
        placed_rc.placed_amount_rc,
        {{ dbt.datediff('placed_rc.placement_month', 'calendar_months.calendar_month', 'month') }}
            as month_on_book,
        calendar_months.calendar_month
    from placed_rc
    inner join calendar_months
        on placed_rc.placement_month <= calendar_months.calendar_month

),

month_ends as (

    select
        *,
        case
            when {{ dbt.last_day('calendar_month', 'month') }} > {{ as_of_date() }}
                then {{ as_of_date() }}
            else cast({{ dbt.last_day('calendar_month', 'month') }} as date)
        end as period_end_date
    from months_on_book

),

recovered as (

    select
        month_ends.case_id,
        month_ends.placement_month,
        month_ends.month_on_book,
        month_ends.calendar_month,
        month_ends.period_end_date,
        month_ends.placed_amount_rc,
        coalesce(sum(case_payments.paid_amount_rc), 0) as paid_to_date_rc,
        sum(
            case
                when
                    case_payments.payment_date is not null
                    and case_payments.paid_amount_rc is null
                    then 1
                else 0
            end
        ) as missing_rate_count
    from month_ends
    left join case_payments
        on
            month_ends.case_id = case_payments.case_id
            and month_ends.period_end_date >= case_payments.payment_date
    group by
        month_ends.case_id,
        month_ends.placement_month,
        month_ends.month_on_book,
        month_ends.calendar_month,
        month_ends.period_end_date,
        month_ends.placed_amount_rc

),

capped as (

    select
        *,
        case
            when missing_rate_count > 0 or placed_amount_rc is null then null
            when paid_to_date_rc > placed_amount_rc then placed_amount_rc
            else paid_to_date_rc
        end as recovered_to_date_rc
    from recovered

),

final as (

    select
        case_id,
        placement_month,
        cast(month_on_book as {{ dbt.type_int() }}) as month_on_book,
        calendar_month,
        period_end_date,
        case
            when
                period_end_date = {{ as_of_date() }}
                and period_end_date < cast({{ dbt.last_day('calendar_month', 'month') }} as date)
                then true
            else false
        end as is_partial_period,
        placed_amount_rc,
        cast(recovered_to_date_rc as decimal(18, 2)) as recovered_to_date_rc,
        cast(
            case
                when month_on_book = 0 then 0
                else lag(recovered_to_date_rc) over (partition by case_id order by month_on_book)
            end as decimal(18, 2)
        ) as recovered_before_month_rc
    from capped

)

select * from final
