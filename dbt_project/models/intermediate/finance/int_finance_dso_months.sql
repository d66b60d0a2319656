{#- The monthly inputs of the DSO family (DESIGN.md §4), one row per month × segment, plus
    segment `all` (the total over segments): credit sales, beginning, ending and current AR in
    the reporting currency. A figure fed by a document or balance without an fx rate is null
    (has_missing_fx_rate), never a partial sum. -#}
with

months as (

    select * from {{ ref('int_finance_months') }}

),

credit_sales as (

    select * from {{ ref('int_finance_credit_sales') }}

),

ar_balances as (

    select * from {{ ref('int_finance_ar_balances') }}

),

segments as (

    select segment from credit_sales
    union
    select segment from ar_balances
    union
    select 'all' as segment

),

sales_rows as (

    select
        sales_month,
        segment,
        signed_amount_rc
    from credit_sales
    union all
    select
        sales_month,
        'all' as segment,
        signed_amount_rc
    from credit_sales

),

sales_per_month as (

    select
        sales_month,
        segment,
        sum(signed_amount_rc) as credit_sales_rc,
        sum(case when signed_amount_rc is null then 1 else 0 end) as missing_rate_count
    from sales_rows
    group by sales_month, segment

),

balance_rows as (

    select
        balance_date,
        segment,
        is_current,
        open_amount_rc
    from ar_balances
    union all
    select
        balance_date,
        'all' as segment,
        is_current,
        open_amount_rc
    from ar_balances

),

ar_per_date as (

    select
        balance_date,
        segment,
        sum(open_amount_rc) as ar_rc,
        sum(case when is_current then open_amount_rc else 0 end) as current_ar_rc,
        sum(case when open_amount_rc is null then 1 else 0 end) as missing_rate_count
    from balance_rows
    group by balance_date, segment

),

joined as (

    select
        months.month_start,
        segments.segment,
        months.period_end_date,
        months.days_in_period,
        months.is_partial_period,
        coalesce(sales_per_month.credit_sales_rc, 0) as credit_sales_rc,
        coalesce(beginning.ar_rc, 0) as beginning_ar_rc,
        coalesce(ending.ar_rc, 0) as ending_ar_rc,
        coalesce(ending.current_ar_rc, 0) as current_ar_rc,
        coalesce(sales_per_month.missing_rate_count, 0) as sales_missing_rate_count,
        coalesce(beginning.missing_rate_count, 0) as beginning_missing_rate_count,
        coalesce(ending.missing_rate_count, 0) as ending_missing_rate_count
    from months
    cross join segments
    left join sales_per_month
        on
            months.month_start = sales_per_month.sales_month
            and segments.segment = sales_per_month.segment
    left join ar_per_date as ending
        on
            months.period_end_date = ending.balance_date
            and segments.segment = ending.segment
    left join ar_per_date as beginning
        on
            {{ dbt.dateadd('day', '-1', 'months.month_start') }} = beginning.balance_date
            and segments.segment = beginning.segment

),

final as (

    select
        month_start,
        segment,
        period_end_date,
        days_in_period,
        is_partial_period,
        cast(
            case when sales_missing_rate_count > 0 then null else credit_sales_rc end
            as decimal(18, 2)
        ) as credit_sales_rc,
        cast(
            case when beginning_missing_rate_count > 0 then null else beginning_ar_rc end
            as decimal(18, 2)
        ) as beginning_ar_rc,
        cast(
            case when ending_missing_rate_count > 0 then null else ending_ar_rc end
            as decimal(18, 2)
        ) as ending_ar_rc,
        cast(
            case when ending_missing_rate_count > 0 then null else current_ar_rc end
            as decimal(18, 2)
        ) as current_ar_rc,
        case
            when
                sales_missing_rate_count + beginning_missing_rate_count
                + ending_missing_rate_count > 0
                then true
            else false
        end as has_missing_fx_rate
    from joined

)

select * from final
