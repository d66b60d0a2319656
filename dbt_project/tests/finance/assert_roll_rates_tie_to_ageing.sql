{{ config(meta={'dagster': {'ref': {'name': 'fct_ar_roll_rates'}}}) }}

{#- The roll rates start from the ageing: for every period of fct_ar_roll_rates, the open AR
    and invoices per segment and from_bucket equal fct_ar_ageing's at the period's start (a
    month end) less the invoices written off on or before it (fct_ar_written_off: the ledger
    still ages them, the roll rates no longer follow them), and the amount rates of a
    from_bucket add up to 1. Returns what does not tie. -#}
with

roll_rates as (

    select * from {{ ref('fct_ar_roll_rates') }}

),

rolled as (

    select
        period_start_date,
        segment,
        from_bucket,
        sum(invoices) as invoices,
        sum(opening_amount_rc) as opening_amount_rc
    from roll_rates
    group by period_start_date, segment, from_bucket

),

written_off as (

    select * from {{ ref('fct_ar_written_off') }}

),

ageing as (

    select
        ageing_rows.snapshot_date,
        ageing_rows.segment,
        ageing_rows.ageing_bucket,
        count(*) as invoices,
        sum(ageing_rows.open_amount_rc) as open_amount_rc
    from {{ ref('fct_ar_ageing') }} as ageing_rows
    left join written_off
        on
            ageing_rows.invoice_id = written_off.invoice_id
            and ageing_rows.snapshot_date >= written_off.written_off_date
    where
        ageing_rows.snapshot_date in (select roll_rates.period_start_date from roll_rates)
        and written_off.invoice_id is null
    group by ageing_rows.snapshot_date, ageing_rows.segment, ageing_rows.ageing_bucket

),

untied as (

    select
        coalesce(rolled.period_start_date, ageing.snapshot_date) as period_start_date,
        coalesce(rolled.segment, ageing.segment) as segment,
        coalesce(rolled.from_bucket, ageing.ageing_bucket) as from_bucket,
        'opening AR differs from the ageing' as problem
    from rolled
    full outer join ageing
        on
            rolled.period_start_date = ageing.snapshot_date
            and rolled.segment = ageing.segment
            and rolled.from_bucket = ageing.ageing_bucket
    where
        rolled.invoices is distinct from ageing.invoices
        or rolled.opening_amount_rc is distinct from ageing.open_amount_rc

),

unbalanced as (

    select
        period_start_date,
        segment,
        from_bucket,
        'amount rates do not add up to 1' as problem
    from roll_rates
    group by period_start_date, segment, strategy, from_bucket
    having abs(sum(amount_rate) - 1) > 0.001

),

final as (

    select * from untied
    union all
    select * from unbalanced

)

select * from final
