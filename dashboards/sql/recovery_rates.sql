-- Recovery of the cases of a cohort range, segment and strategy, from marts.fct_recovery_cases
-- (the rows marts.fct_recovery_cohorts sums), at two grains told apart by `grain`:
--   cohort: per placement month and month on book, recovery_rate = Σ recovered to date ÷
--     Σ placed (fct_recovery_cohorts' formula: equal to it when nothing is narrowed);
--   calendar_month: per calendar month, liquidation_rate = Σ collected in the month ÷ Σ open
--     placed balance at its start (fct_recovery_liquidation's formula, likewise).
-- Parameters: first cohort, last cohort, segment, segment, strategy, strategy ('all': any).
with cases as (
    select
        placement_month,
        month_on_book,
        calendar_month,
        is_partial_period,
        placed_amount_rc,
        recovered_to_date_rc,
        collected_in_month_rc,
        open_placed_balance_at_start_rc,
        reporting_currency
    from marts.fct_recovery_cases
    where
        placement_month between ? and ?
        and (? = 'all' or segment = ?)
        and (? = 'all' or strategy = ?)
),

grouped as (
    select
        case when grouping(placement_month) = 0 then 'cohort' else 'calendar_month' end as grain,
        placement_month,
        month_on_book,
        calendar_month,
        bool_or(is_partial_period) as is_partial_period,
        count(*) as cases_count,
        sum(placed_amount_rc) as placed_amount_rc,
        sum(recovered_to_date_rc) as recovered_amount_rc,
        sum(collected_in_month_rc) as collected_in_month_rc,
        sum(open_placed_balance_at_start_rc) as open_placed_balance_at_start_rc,
        min(reporting_currency) as reporting_currency
    from cases
    -- (sqlfluff's duckdb dialect cannot parse grouping sets: hence the noqa below)
    group by grouping sets ((placement_month, month_on_book, calendar_month), (calendar_month))  -- noqa: PRS
),

final as (
    select
        *,
        round(cast(recovered_amount_rc as double) / nullif(placed_amount_rc, 0), 6)
            as recovery_rate,
        round(
            cast(collected_in_month_rc as double) / nullif(open_placed_balance_at_start_rc, 0), 6
        ) as liquidation_rate
    from grouped
)

select * from final
order by grain, placement_month, month_on_book, calendar_month
