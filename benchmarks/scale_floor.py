"""The floor of `benchmarks/scale.py`: month-end ageing, DSO and CEI from the landing files.

    uv run python benchmarks/scale_floor.py --landing DIR --as-of 2026-11-19

Hand-written DuckDB SQL over the landing zone's CSV files, no pipeline: the least work that
computes the headline figures of DESIGN.md §4, so the benchmark can state the pipeline's cost as
a multiple of it. It reads the ERP invoices, credit notes, payment allocations and customers
and the FX rates (`read_csv`, every value as text, `try_cast`: a row that breaks the contract
is left out), keeps the latest version of each key (latest `updated_at`, then the latest
extraction stamp in the file name), and computes:

- the ageing by due date: open amount (document currency and reporting currency at the latest
  rate on or before the snapshot) and open items per bucket and segment, at every month end
  from the first invoice on and at the as-of date;
- per month and segment (and `all`): credit sales, beginning, ending and current AR, standard,
  countback (24 months) and best possible DSO, ADD and CEI.

One simplification: the payment date is the allocation's `allocated_at` date, not the value
date of the bank entry it points to (the camt.053 statements are XML, which DuckDB does not
read). Prints one JSON line: snapshots, months, ageing rows and the open AR at the as-of date.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import date
from pathlib import Path

import duckdb

from amicable.config import load_config
from amicable.settings import DEFAULT_CONFIG
from ingestion.contracts import SOURCES_BY_NAME, SourceTable
from ingestion.landing import STAMP_PATTERN

# Parameters: the pattern of the extraction stamp in a file name, the source's files.
LATEST = """
create temp table {name} as
select * exclude (stamp)
from (
    select {columns}, regexp_extract(filename, ?, 1) as stamp
    from read_csv(?, all_varchar = true, union_by_name = true, filename = true)
)
where stamp <> '' and {valid}
qualify row_number() over (partition by {key} order by {order} desc, stamp desc) = 1
"""
TIMESTAMP = "try_strptime({0}, '%Y-%m-%dT%H:%M:%SZ') as {0}"
TABLES = {
    "invoices": {
        "source": "erp_invoices",
        "columns": "invoice_id, debtor_id, document_type, reference_invoice_id,"
        " try_cast(issue_date as date) as issue_date, try_cast(due_date as date) as due_date,"
        " try_cast(amount as decimal(18, 2)) as amount, currency, "
        + TIMESTAMP.format("updated_at"),
        "valid": "invoice_id is not null and debtor_id is not null and issue_date is not null"
        " and due_date >= issue_date and amount > 0 and updated_at is not null"
        " and (document_type = 'invoice' or document_type = 'credit_note'"
        " and reference_invoice_id is not null)",
        "key": "invoice_id",
        "order": "updated_at",
    },
    "allocations": {
        "source": "erp_payment_allocations",
        "columns": "allocation_id, invoice_id, try_cast(amount as decimal(18, 2)) as amount, "
        + TIMESTAMP.format("allocated_at"),
        "valid": "allocation_id is not null and invoice_id is not null and amount > 0"
        " and allocated_at is not null",
        "key": "allocation_id",
        "order": "allocated_at",
    },
    "customers": {
        "source": "erp_customers",
        "columns": "debtor_id, segment, " + TIMESTAMP.format("updated_at"),
        "valid": "debtor_id is not null and segment in ('B2B', 'B2C') and updated_at is not null",
        "key": "debtor_id",
        "order": "updated_at",
    },
    "fx": {
        "source": "fx_rates",
        "columns": "try_cast(rate_date as date) as rate_date, currency,"
        " try_cast(rate_to_reporting as decimal(24, 10)) as rate",
        "valid": "rate_date is not null and currency is not null and rate > 0",
        "key": "rate_date, currency",
        "order": "rate_date",
    },
}

FIGURES = """
create temp table snapshots as
select cast(last_day(month_start) as date) as snapshot_date
from (
    select unnest(generate_series(
        date_trunc('month', min(issue_date)), date_trunc('month', $as_of), interval 1 month
    )) as month_start, min(issue_date) as first_issue
    from invoices where document_type = 'invoice'
)
where last_day(month_start) < $as_of and last_day(month_start) >= first_issue
union all select $as_of;

create temp table months as
select cast(month_start as date) as month_start,
    cast(least(last_day(month_start), $as_of) as date) as period_end,
    least(last_day(month_start), $as_of) - cast(month_start as date) + 1 as days
from (
    select unnest(generate_series(
        date_trunc('month', min(issue_date)), date_trunc('month', $as_of), interval 1 month
    )) as month_start
    from invoices where document_type = 'invoice' and issue_date <= $as_of
);

create temp table rates as
select currency, rate_date, rate from fx
union all
select $reporting, date '0001-01-01', 1;

create temp table balance_periods as
with changes as (
    select invoice_id, issue_date as moved_on, amount as change
    from invoices where document_type = 'invoice'
    union all
    select reference_invoice_id, issue_date, -amount from invoices
    where document_type = 'credit_note'
    union all
    select invoice_id, cast(allocated_at as date), -amount from allocations
),
daily as (
    select invoice_id, moved_on, sum(change) as change from changes
    where moved_on <= $as_of group by all
)
select
    invoice_id,
    moved_on as valid_from,
    lead(moved_on) over (partition by invoice_id order by moved_on) as valid_to,
    greatest(sum(change) over (partition by invoice_id order by moved_on), 0) as open_amount
from daily;

create temp table ageing as
with open_items as (
    select
        snapshots.snapshot_date, customers.segment, invoices.currency,
        snapshots.snapshot_date - invoices.due_date as days_past_due,
        balance_periods.open_amount
    from balance_periods
    inner join snapshots
        on snapshots.snapshot_date >= balance_periods.valid_from
        and (snapshots.snapshot_date < balance_periods.valid_to or balance_periods.valid_to is null)
    inner join invoices
        on invoices.invoice_id = balance_periods.invoice_id
        and invoices.document_type = 'invoice' and invoices.issue_date <= snapshots.snapshot_date
    inner join customers on customers.debtor_id = invoices.debtor_id
    where balance_periods.open_amount > 0
),
snapshot_rates as (
    select snapshot_currencies.snapshot_date, snapshot_currencies.currency, rates.rate
    from (select distinct snapshot_date, currency from open_items) as snapshot_currencies
    asof left join rates
        on rates.currency = snapshot_currencies.currency
        and rates.rate_date <= snapshot_currencies.snapshot_date
)
select
    open_items.snapshot_date,
    open_items.segment,
    case
        when days_past_due <= 0 then 'current' when days_past_due <= 30 then '1-30'
        when days_past_due <= 60 then '31-60' when days_past_due <= 90 then '61-90'
        when days_past_due <= 120 then '91-120' else '120+'
    end as ageing_bucket,
    count(*) as open_items,
    sum(open_items.open_amount * snapshot_rates.rate) as open_amount_rc
from open_items
inner join snapshot_rates using (snapshot_date, currency)
group by all;

create temp table dso as
with documents as (
    select invoices.*, customers.segment from invoices
    inner join customers using (debtor_id)
    where invoices.issue_date <= $as_of
),
sales as (
    select date_trunc('month', documents.issue_date) as month_start, documents.segment,
        sum(case when documents.document_type = 'invoice' then 1 else -1 end
            * documents.amount * rates.rate) as credit_sales
    from documents
    asof left join rates
        on rates.currency = documents.currency and rates.rate_date <= documents.issue_date
    group by all
),
balances as (
    select snapshot_date, segment, sum(open_amount_rc) as ending_ar,
        sum(open_amount_rc) filter (where ageing_bucket = 'current') as current_ar
    from ageing group by all
),
segments as (select distinct segment from customers),
base as (
    select months.month_start, months.days, segments.segment,
        coalesce(sales.credit_sales, 0) as credit_sales,
        coalesce(ending.ending_ar, 0) as ending_ar,
        coalesce(ending.current_ar, 0) as current_ar,
        coalesce(beginning.ending_ar, 0) as beginning_ar
    from months cross join segments
    left join sales
        on sales.month_start = months.month_start and sales.segment = segments.segment
    left join balances as ending
        on ending.snapshot_date = months.period_end and ending.segment = segments.segment
    left join balances as beginning
        on beginning.snapshot_date = cast(months.month_start - 1 as date)
        and beginning.segment = segments.segment
),
with_all as (
    select * from base
    union all
    select month_start, days, 'all', sum(credit_sales), sum(ending_ar), sum(current_ar),
        sum(beginning_ar)
    from base group by month_start, days
),
walk as (
    select period.month_start, period.segment, period.ending_ar, back.credit_sales,
        back.days, back.month_start as back_month,
        sum(greatest(back.credit_sales, 0)) over back_months as sales_so_far,
        sum(back.days) over back_months as days_so_far
    from with_all as period
    inner join with_all as back
        on back.segment = period.segment and back.month_start <= period.month_start
        and back.month_start > period.month_start - interval 24 month
    window back_months as (
        partition by period.month_start, period.segment order by back.month_start desc
    )
),
countback as (
    select month_start, segment,
        arg_max(
            days_so_far - days + (ending_ar - (sales_so_far - credit_sales)) / credit_sales * days,
            back_month
        ) filter (where credit_sales > 0 and sales_so_far >= ending_ar) as countback_dso_days
    from walk group by all
),
figures as (
    select with_all.*, countback.countback_dso_days,
        case when credit_sales > 0 then ending_ar / credit_sales * days end
            as standard_dso_days,
        case when credit_sales > 0 then current_ar / credit_sales * days end
            as best_possible_dso_days,
        100 * (beginning_ar + credit_sales - ending_ar)
            / nullif(beginning_ar + credit_sales - current_ar, 0) as cei_pct
    from with_all
    left join countback using (month_start, segment)
)
select *, standard_dso_days - best_possible_dso_days as add_days from figures;
"""


def _files(landing: Path, source: SourceTable, scratch: str) -> list[str]:
    """The source's files in the landing zone; none: a file with the contract's header only."""
    files = sorted(str(p) for p in (landing / source.folder).glob(source.pattern))
    if files:
        return files
    empty = Path(scratch) / f"{source.name}.csv"
    empty.write_text(",".join(source.columns) + "\n", encoding="utf-8")
    return [str(empty)]


def floor(landing: Path, as_of: date, reporting_currency: str) -> dict[str, object]:
    """Compute the floor's figures in an in-memory DuckDB; a summary of what it computed."""
    with duckdb.connect() as con, tempfile.TemporaryDirectory() as scratch:
        for name, table in TABLES.items():
            parts = {key: value for key, value in table.items() if key != "source"}
            files = _files(landing, SOURCES_BY_NAME[table["source"]], scratch)
            statement = LATEST.format(name=name, **parts)
            con.execute(statement, [STAMP_PATTERN, files])
        values = {"as_of": as_of, "reporting": reporting_currency}
        for statement in filter(str.strip, FIGURES.split(";")):
            con.execute(statement, {k: v for k, v in values.items() if f"${k}" in statement})
        (snapshots,) = con.execute("select count(*) from snapshots").fetchone()
        (months,) = con.execute("select count(distinct month_start) from dso").fetchone()
        (ageing_rows,) = con.execute("select count(*) from ageing").fetchone()
        (open_ar,) = con.execute(
            "select sum(open_amount_rc) from ageing where snapshot_date = ?", [as_of]
        ).fetchone()
    return {
        "snapshots": snapshots,
        "months": months,
        "ageing_rows": ageing_rows,
        "open_ar_rc": float(open_ar or 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--as-of", type=date.fromisoformat, required=True)
    args = parser.parse_args()
    reporting = load_config(DEFAULT_CONFIG).reporting_currency
    print(json.dumps(floor(args.landing, args.as_of, reporting)))


if __name__ == "__main__":
    main()
