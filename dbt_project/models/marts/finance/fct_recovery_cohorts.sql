{#- Recovery curves by placement cohort (DESIGN.md §4 Recovery): one row per placement month
    (month the case was opened) × month on book (0 = the placement month), up to as_of: the
    segment `all`, strategy `all` rows of fct_recovery_curves, where the figures are
    computed. -#}
with

curves as (

    select * from {{ ref('fct_recovery_curves') }}

),

final as (

    select
        placement_month,
        month_on_book,
        calendar_month,
        cases_count,
        placed_amount_rc,
        recovered_amount_rc,
        recovery_rate,
        collected_in_month_rc,
        open_placed_balance_at_start_rc,
        liquidation_rate,
        period_end_date,
        is_partial_period,
        reporting_currency
    from curves
    where segment = 'all' and strategy = 'all'

)

select * from final
