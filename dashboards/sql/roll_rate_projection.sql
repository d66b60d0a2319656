-- Next month's open AR as the period's roll rates project it: the open AR per bucket at the
-- period's end (marts.fct_ar_ageing at that month end, one segment or 'all', less the
-- invoices written off by then, marts.fct_ar_written_off, as the roll rates leave them out)
-- carried to each to_state at the period's amount rate from that bucket (every strategy). A
-- bucket with no rate in the period (nothing was open in it at the start) keeps its AR under
-- `no rate`. New invoices are not projected. Parameters: period_end_date, segment, segment,
-- segment, segment, period_end_date.
with rates as (
    select
        from_bucket,
        to_state,
        case
            when
                sum(count(*)) over (partition by from_bucket)
                = sum(count(opening_amount_rc)) over (partition by from_bucket)
                then
                    sum(opening_amount_rc)
                    / nullif(sum(sum(opening_amount_rc)) over (partition by from_bucket), 0)
        end as amount_rate
    from marts.fct_ar_roll_rates
    where period_end_date = ? and (? = 'all' or segment = ?)
    group by from_bucket, to_state
),

open_ar as (
    select
        ageing_bucket,
        case when count(*) = count(open_amount_rc) then sum(open_amount_rc) end as open_amount_rc
    from marts.fct_ar_ageing as ageing
    where
        (? = 'all' or segment = ?)
        and snapshot_date = ?
        and not exists (
            select written_off.invoice_id
            from marts.fct_ar_written_off as written_off
            where
                written_off.invoice_id = ageing.invoice_id
                and written_off.written_off_date <= ageing.snapshot_date
        )
    group by ageing_bucket
),

carried as (
    select
        coalesce(rates.to_state, 'no rate') as to_state,
        case
            when rates.from_bucket is null then open_ar.open_amount_rc
            else open_ar.open_amount_rc * rates.amount_rate
        end as projected_amount_rc
    from open_ar
    left join rates on open_ar.ageing_bucket = rates.from_bucket
)

select
    carried.to_state,
    case
        when count(*) = count(carried.projected_amount_rc)
            then round(sum(carried.projected_amount_rc), 2)
    end as projected_amount_rc
from carried
left join marts.dim_ageing_buckets as buckets on carried.to_state = buckets.ageing_bucket
group by carried.to_state, buckets.bucket_order
order by coalesce(buckets.bucket_order, 1000), carried.to_state
