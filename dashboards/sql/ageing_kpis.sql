-- KPI row of the ledger ageing (by due date) for one snapshot and segment. An open item
-- without an FX rate (open_amount_rc null, flagged by a row-level check) makes the reporting-
-- currency totals null, never a partial sum; items_without_rate counts them.
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
        case
            when count(*) = count(open_amount_rc) then coalesce(sum(open_amount_rc), 0)
        end as total_open_rc,
        case
            when count(*) = count(open_amount_rc)
                then coalesce(
                    sum(case when ageing_bucket <> 'current' then open_amount_rc end), 0
                )
        end as overdue_open_rc,
        case
            when count(*) = count(open_amount_rc)
                then
                    sum(case when ageing_bucket <> 'current' then open_amount_rc else 0 end)
                    / nullif(sum(open_amount_rc), 0)
        end as overdue_share,
        count(*) as open_items,
        count(*) - count(open_amount_rc) as items_without_rate,
        min(reporting_currency) as reporting_currency
    from ageing
)

select * from final
