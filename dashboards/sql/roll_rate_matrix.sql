-- The transition matrix of one period (marts.fct_ar_roll_rates) over a segment and a strategy
-- ('all': every one): per from_bucket and to_state, the invoices and their opening AR, and the
-- rates recomputed over the selection (opening AR of the cell ÷ opening AR of its from_bucket;
-- null when an amount is unknown: no FX rate). Buckets in order, then credited, paid and
-- written_off.
-- Parameters: period_end_date, segment, segment, strategy, strategy.
with cells as (
    select
        from_bucket,
        from_bucket_order,
        to_state,
        cast(sum(invoices) as bigint) as invoices,
        case
            when count(*) = count(opening_amount_rc) then sum(opening_amount_rc)
        end as opening_amount_rc,
        max(reporting_currency) as reporting_currency
    from marts.fct_ar_roll_rates
    where
        period_end_date = ?
        and (? = 'all' or segment = ?)
        and (? = 'all' or strategy = ?)
    group by from_bucket, from_bucket_order, to_state
)

select
    cells.from_bucket,
    cells.to_state,
    cells.invoices,
    cells.opening_amount_rc,
    round(
        cells.opening_amount_rc
        / nullif(sum(cells.opening_amount_rc) over (partition by cells.from_bucket), 0),
        4
    ) as amount_rate,
    round(
        cells.invoices / sum(cells.invoices) over (partition by cells.from_bucket), 4
    ) as count_rate,
    cells.reporting_currency
from cells
left join marts.dim_ageing_buckets as to_buckets on cells.to_state = to_buckets.ageing_bucket
order by
    cells.from_bucket_order,
    coalesce(to_buckets.bucket_order, 1000),
    cells.to_state
