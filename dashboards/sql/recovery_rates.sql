-- Recovery of the cases of a cohort range, segment and strategy, from marts.fct_recovery_curves
-- (a row per cohort, month on book and filter cell: segment and strategy, 'all' for every
-- one), at two grains told apart by `grain`:
--   cohort: the mart's rows of the cohorts in the range, recovery_rate as published;
--   calendar_month: per calendar month, the published collected_in_month_rc and
--     open_placed_balance_at_start_rc of those cohorts summed, liquidation_rate = their ratio
--     (fct_recovery_liquidation's formula over the chosen cohorts); null when a cohort's
--     amounts are null (a missing FX rate), never a partial sum.
-- Parameters: first cohort, last cohort, segment, strategy.
with curves as (
    select
        placement_month,
        month_on_book,
        calendar_month,
        is_partial_period,
        cases_count,
        placed_amount_rc,
        recovered_amount_rc,
        recovery_rate,
        collected_in_month_rc,
        open_placed_balance_at_start_rc,
        reporting_currency
    from marts.fct_recovery_curves
    where placement_month between ? and ? and segment = ? and strategy = ?
),

cohorts as (
    select
        'cohort' as grain,
        placement_month,
        month_on_book,
        calendar_month,
        is_partial_period,
        cast(cases_count as bigint) as cases_count,
        placed_amount_rc,
        recovered_amount_rc,
        collected_in_month_rc,
        open_placed_balance_at_start_rc,
        reporting_currency,
        recovery_rate,
        cast(null as double) as liquidation_rate
    from curves
),

months as (
    select
        'calendar_month' as grain,
        cast(null as date) as placement_month,
        cast(null as integer) as month_on_book,
        calendar_month,
        bool_or(is_partial_period) as is_partial_period,
        cast(sum(cases_count) as bigint) as cases_count,
        cast(null as decimal(18, 2)) as placed_amount_rc,
        cast(null as decimal(18, 2)) as recovered_amount_rc,
        case
            when count(*) = count(collected_in_month_rc) then sum(collected_in_month_rc)
        end as collected_in_month_rc,
        case
            when count(*) = count(open_placed_balance_at_start_rc)
                then sum(open_placed_balance_at_start_rc)
        end as open_placed_balance_at_start_rc,
        min(reporting_currency) as reporting_currency,
        cast(null as double) as recovery_rate,
        case
            when count(*) = count(collected_in_month_rc)
                then round(
                    cast(sum(collected_in_month_rc) as double)
                    / nullif(sum(open_placed_balance_at_start_rc), 0),
                    6
                )
        end as liquidation_rate
    from curves
    group by calendar_month
),

final as (
    select * from cohorts
    union all
    select * from months
)

select * from final
order by grain, placement_month, month_on_book, calendar_month
