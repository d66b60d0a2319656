-- Kept rate of one dimension value (marts.fct_promise_kept_rates) over one due month or all:
-- the published counts and amounts summed and divided, kept / decided by count and kept /
-- decided promised amount (reporting currency), as the mart; null when undefined (nothing
-- decided, or a promise without an FX rate: the mart's promises_without_rate).
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
            when coalesce(sum(promises_without_rate), 0) = 0
                then round(sum(kept_promised_amount_rc) / nullif(sum(promised_amount_rc), 0), 4)
        end as kept_rate_by_amount
    from rates
)

select * from final
