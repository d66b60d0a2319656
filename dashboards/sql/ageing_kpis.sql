-- KPI row of the ledger ageing (by due date) for one snapshot and segment.
-- Parameters: snapshot_date, segment, segment ('all' is every segment).
with ageing as (
    select
        ageing_bucket,
        open_amount_rc,
        reporting_currency
    from marts.fct_ar_ageing
    where snapshot_date = ? and (? = 'all' or segment = ?)
),

final as (
    select
        coalesce(sum(open_amount_rc), 0) as total_open_rc,
        coalesce(
            sum(case when ageing_bucket <> 'current' then open_amount_rc end), 0
        ) as overdue_open_rc,
        sum(case when ageing_bucket <> 'current' then open_amount_rc else 0 end)
        / nullif(sum(open_amount_rc), 0) as overdue_share,
        count(*) as open_items,
        min(reporting_currency) as reporting_currency
    from ageing
)

select * from final
