{#- Accounts-receivable ageing by invoice date (DESIGN.md §4 "Ageing by invoice date is a
    second, labelled view, never mixed with the first"): the same open items and snapshot dates
    as fct_ar_ageing, bucketed on days since issue instead of days past due. -#}
with

ageing as (

    select * from {{ ref('fct_ar_ageing') }}

),

aged_by_issue as (

    select
        *,
        cast(
            {{ dbt.datediff('issue_date', 'snapshot_date', 'day') }} as {{ dbt.type_int() }}
        ) as days_since_issue
    from ageing

),

final as (

    select
        snapshot_date,
        invoice_id,
        debtor_id,
        segment,
        currency,
        due_date,
        days_past_due,
        {{ finance_ageing_bucket('days_since_issue') }} as ageing_bucket,
        open_amount,
        open_amount_rc,
        issue_date,
        days_since_issue,
        'invoice_date' as ageing_basis,
        invoice_number,
        debtor_name,
        reporting_currency,
        fx_rate,
        fx_rate_date,
        is_latest_snapshot
    from aged_by_issue

)

-- Written in snapshot order: a reader of one snapshot (every ageing page) reads only that
-- snapshot's row groups (DuckDB skips the others by their min/max dates).
select * from final
order by snapshot_date
