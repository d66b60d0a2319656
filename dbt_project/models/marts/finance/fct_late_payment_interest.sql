{#- Late-payment interest and fixed compensation claimable per B2B invoice paid late or still
    overdue on the as-of date (issue "From watching to acting"), under the creditor's pack
    (macro late_payment_pack; config/late_payment/, its rates in dim_late_payment_rates).
    B2C invoices (and debtors without a customer record, segment unknown) get none.
      late amount of a day: its open amount (fct_ar_balance_periods) less the credit notes
        issued after that day up to the as-of date: a credit note corrects what was owed, so
        the credited part never counts as late (a fully credited invoice has no claim)
      days_late: the days after the due date, up to the as-of date (included), with a late
        amount; settled_on: for an invoice with nothing open on the as-of date, the day its
        late amount fell to zero
      interest_amount (invoice currency): Σ over those days of late amount of the day ×
        interest rate of the day's half-year ÷ 100 ÷ 365 (simple interest, 365-day year, leap
        years included), rounded to the cent once per invoice; null when a late day has no
        reference rate (the table starts after it)
      compensation_amount (compensation_currency, the pack's): the first tier whose `below`
        exceeds the debt (invoice amount less the credit notes up to the as-of
        date) in that currency at the due date's rates, to the cent (the
        last tier has no bound; none when a rate is missing); one per invoice paid late
      *_rc: converted at the as-of rates (interest from the invoice currency, compensation
        from its own), claimable_amount_rc their sum; null without a rate. -#}
{%- set pack = late_payment_pack() %}
with

balance_periods as (

    select * from {{ ref('fct_ar_balance_periods') }}
    where segment = 'B2B' and due_date < {{ as_of_date() }}

),

half_years as (

    select * from {{ ref('dim_late_payment_rates') }}

),

fx_rates as (

    select * from {{ ref('stg_fx__rates') }}

),

tiers as (

    {%- for below, amount in pack['compensation_tiers'] %}

    select
        {{ loop.index }} as tier_order,
        cast({{ 'null' if below is none else below }} as decimal(18, 2)) as below_amount,
        cast({{ amount }} as decimal(18, 2)) as compensation_amount
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

invoices as (

    select
        invoice_id,
        invoice_number,
        debtor_id,
        debtor_name,
        currency,
        issue_date,
        due_date,
        invoice_amount,
        open_amount,
        coalesce(credited_amount_to_date, 0) as credited_amount
    from balance_periods
    where
        valid_from <= {{ as_of_date() }}
        and coalesce(valid_to > {{ as_of_date() }}, true)

),

late_spans as (

    select
        balance_periods.invoice_id,
        balance_periods.open_amount
        - (invoices.credited_amount - coalesce(balance_periods.credited_amount_to_date, 0))
            as late_amount,
        greatest(
            balance_periods.valid_from, {{ dbt.dateadd('day', '1', 'balance_periods.due_date') }}
        ) as span_start,
        least(
            coalesce(balance_periods.valid_to, {{ dbt.dateadd('day', '1', as_of_date()) }}),
            {{ dbt.dateadd('day', '1', as_of_date()) }}
        ) as span_end
    from balance_periods
    inner join invoices on balance_periods.invoice_id = invoices.invoice_id

),

late_until as (

    select
        invoice_id,
        max(span_end) as late_until
    from late_spans
    where late_amount > 0 and span_start < span_end
    group by invoice_id

),

late_days as (

    select
        late_spans.invoice_id,
        late_spans.late_amount,
        half_years.interest_rate_pct,
        {{ dbt.datediff(
            'greatest(late_spans.span_start, half_years.period_start)',
            'least(late_spans.span_end, ' ~ dbt.dateadd('day', '1', 'half_years.period_end') ~ ')',
            'day',
        ) }} as late_day_count
    from late_spans
    inner join half_years
        on
            late_spans.span_end > half_years.period_start
            and late_spans.span_start <= half_years.period_end
    where late_spans.late_amount > 0 and late_spans.span_start < late_spans.span_end

),

interest as (

    select
        invoice_id,
        sum(late_day_count) as days_late,
        case
            when count(interest_rate_pct) = count(*)
                then round(
                    cast(
                        sum(late_amount * interest_rate_pct * late_day_count) / 36500
                        as decimal(38, 10)
                    ),
                    2
                )
        end as interest_amount
    from late_days
    group by invoice_id

),

due_dates as (

    select distinct due_date from invoices

),

due_date_rates as (

    {{ fx_rates_on_dates('due_dates', 'due_date', 'fx_rates') }}

),

as_of_dates as (

    select cast({{ as_of_date() }} as date) as rate_on

),

as_of_rates as (

    {{ fx_rates_on_dates('as_of_dates', 'rate_on', 'fx_rates') }}

),

measured as (

    select
        invoices.invoice_id,
        case
            when invoices.currency = '{{ pack["compensation_currency"] }}'
                then invoices.invoice_amount - invoices.credited_amount
            else
                round(
                    cast(
                        (invoices.invoice_amount - invoices.credited_amount)
                        * invoice_rate.rate_to_reporting
                        / compensation_rate.rate_to_reporting
                        as decimal(38, 10)
                    ),
                    2
                )
        end as amount_in_compensation_currency
    from invoices
    left join due_date_rates as invoice_rate
        on
            invoices.due_date = invoice_rate.due_date
            and invoices.currency = invoice_rate.currency
    left join due_date_rates as compensation_rate
        on
            invoices.due_date = compensation_rate.due_date
            and compensation_rate.currency = '{{ pack["compensation_currency"] }}'

),

compensation as (

    select
        measured.invoice_id,
        min(tiers.tier_order) as tier_order
    from measured
    inner join tiers
        on
            measured.amount_in_compensation_currency is not null
            and (
                tiers.below_amount is null
                or measured.amount_in_compensation_currency < tiers.below_amount
            )
    group by measured.invoice_id

),

final as (

    select
        invoices.invoice_id,
        invoices.invoice_number,
        invoices.debtor_id,
        invoices.debtor_name,
        invoices.currency,
        invoices.issue_date,
        invoices.due_date,
        invoices.invoice_amount,
        invoices.open_amount,
        cast(
            case when invoices.open_amount = 0 then late_until.late_until end as date
        ) as settled_on,
        cast(
            case when invoices.open_amount = 0 then 'settled' else 'open' end
            as {{ dbt.type_string() }}
        ) as claim_status,
        cast(interest.days_late as {{ dbt.type_int() }}) as days_late,
        cast('{{ pack["pack"] }}' as {{ dbt.type_string() }}) as pack,
        cast(
            '{{ pack["legal_reference"] | replace("'", "''") }}' as {{ dbt.type_string() }}
        ) as legal_reference,
        cast(interest.interest_amount as decimal(18, 2)) as interest_amount,
        cast(tiers.compensation_amount as decimal(18, 2)) as compensation_amount,
        cast(
            '{{ pack["compensation_currency"] }}' as {{ dbt.type_string() }}
        ) as compensation_currency,
        cast(
            round(interest.interest_amount * interest_rate.rate_to_reporting, 2)
            as decimal(18, 2)
        ) as interest_amount_rc,
        cast(
            round(tiers.compensation_amount * compensation_rate.rate_to_reporting, 2)
            as decimal(18, 2)
        ) as compensation_amount_rc,
        cast(
            round(interest.interest_amount * interest_rate.rate_to_reporting, 2)
            + round(tiers.compensation_amount * compensation_rate.rate_to_reporting, 2)
            as decimal(18, 2)
        ) as claimable_amount_rc,
        cast({{ reporting_currency() }} as {{ dbt.type_string() }}) as reporting_currency
    from interest
    inner join invoices on interest.invoice_id = invoices.invoice_id
    inner join late_until on interest.invoice_id = late_until.invoice_id
    left join compensation on interest.invoice_id = compensation.invoice_id
    left join tiers on compensation.tier_order = tiers.tier_order
    left join as_of_rates as interest_rate on invoices.currency = interest_rate.currency
    left join as_of_rates as compensation_rate
        on compensation_rate.currency = '{{ pack["compensation_currency"] }}'
    where interest.days_late > 0

)

select * from final
