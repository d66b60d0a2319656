-- Kept rate of one dimension value (marts.fct_promise_kept_rates) over one due month or all:
-- kept / decided by count, and kept / decided promised amount (reporting currency), null when
-- undefined (nothing decided, or a month whose amount rate is undefined).
-- Parameters: dimension, dimension value, due month ('YYYY-MM'), due month ('all' is every month).
with rates as (
    select *
    from marts.fct_promise_kept_rates
    where
        dimension = ?
        and dimension_value = ?
        and (? = 'all' or strftime(due_month, '%Y-%m') = ?)
),

final as (
    select
        cast(coalesce(sum(promises_decided), 0) as integer) as promises_decided,
        cast(coalesce(sum(promises_kept), 0) as integer) as promises_kept,
        round(sum(promises_kept) / nullif(sum(promises_decided), 0), 4) as kept_rate_by_count,
        case
            when not coalesce(bool_or(kept_rate_by_amount is null and promises_decided > 0), false)
                then round(sum(kept_promised_amount_rc) / nullif(sum(promised_amount_rc), 0), 4)
        end as kept_rate_by_amount
    from rates
)

select * from final
