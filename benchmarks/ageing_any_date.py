"""Time the ageing at any date (`dashboards.queries.ageing_by_bucket`) over many invoices.

    uv run python benchmarks/ageing_any_date.py [--invoices 1000000] [--runs 5]

Writes a synthetic `marts.fct_ar_balance_periods` (about 2.4 periods per invoice: issued, part
paid, then paid in full for most; 10 % in USD and 4 % in GBP with daily rates in
`marts.dim_fx_rate_periods`) to a temporary DuckDB file, builds `marts.dim_ageing_buckets` with
dbt, then asks the query layer for the ageing on dates spread over the history, each call as a
page makes it (a new read-only connection, the statement, the frame). Records the median wall
time and the process CPU seconds (DuckDB's threads included) per call against the 0.5 s budget
in `benchmarks/results/ageing_any_date.md`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from record import record  # benchmarks/record.py: scripts run from this folder

from dashboards import queries
from orchestration.dbt_assets import dbt_run_models

BUDGET_SECONDS = 0.5
FIRST_ISSUE = dt.date(2025, 1, 1)

PERIODS_SQL = """
create schema marts;
create table marts.fct_ar_balance_periods as
with invoices as (
    select
        i,
        'INV-' || i as invoice_id,
        'D' || (i % 240000) as debtor_id,
        case when i % 3 = 0 then 'B2B' else 'B2C' end as segment,
        case when i % 10 = 0 then 'USD' when i % 25 = 0 then 'GBP' else 'EUR' end as currency,
        cast(date '2025-01-01' + cast(i % 540 as integer) as date) as issue_date,
        cast(100 + i % 900 as decimal(18, 2)) as amount,
        cast(10 + i % 80 as integer) as paid_after_days,
        i % 10 < 7 as is_paid
    from range(?) as invoice_numbers (i)
),
periods as (
    select *, issue_date as valid_from,
        cast(issue_date + paid_after_days as date) as valid_to, amount as open_amount
    from invoices
    union all
    select *, cast(issue_date + paid_after_days as date),
        case when is_paid then cast(issue_date + 2 * paid_after_days as date) end,
        cast(amount / 2 as decimal(18, 2))
    from invoices
    union all
    select *, cast(issue_date + 2 * paid_after_days as date), null, cast(0 as decimal(18, 2))
    from invoices
    where is_paid
)
select
    invoice_id, debtor_id, segment, currency, issue_date,
    cast(issue_date + 30 as date) as due_date, valid_from, valid_to, open_amount,
    cast(0 as decimal(18, 2)) as unapplied_credit_amount
from periods
order by valid_from;
create table marts.dim_fx_rate_periods as
select
    currency,
    cast(date '2024-12-01' + cast(day as integer) as date) as valid_from,
    cast(date '2024-12-02' + cast(day as integer) as date) as valid_to,
    cast(case when currency = 'USD' then 0.9 else 1.17 end + (day % 7) / 1000
        as decimal(24, 10)) as rate_to_reporting
from range(800) as days (day)
cross join (values ('USD'), ('GBP')) as currencies (currency)
union all
select 'EUR', date '0001-01-01', null, cast(1 as decimal(24, 10));
"""


def _build(path: Path, invoices: int) -> int:
    with duckdb.connect(str(path)) as con:
        statements = [s for s in PERIODS_SQL.split(";") if s.strip()]
        for statement in statements:
            con.execute(statement, [invoices] if "range(?)" in statement else [])
        rows = con.execute("select count(*) from marts.fct_ar_balance_periods").fetchone()[0]
    dbt_run_models(path, "dim_ageing_buckets")  # the buckets, as the marts' macro states them
    return rows


def _time(path: Path, day: dt.date) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    frame = queries.ageing_by_bucket(path, day, "all")
    assert len(frame) == len(queries.ageing_buckets(path))
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    days = [FIRST_ISSUE + dt.timedelta(days=n) for n in (45, 200, 371, 500, 604)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "warehouse.duckdb"
        rows = _build(path, args.invoices)
        _time(path, days[0])  # warm the file cache once
        timings = {day: [_time(path, day) for _ in range(args.runs)] for day in days}
    walls = [wall for runs in timings.values() for wall, _ in runs]
    cpus = [cpu for runs in timings.values() for _, cpu in runs]
    median = statistics.median(walls)
    lines = [
        "# Ageing at any date: size of the balance-period mart",
        "",
        f"Command: `uv run python benchmarks/ageing_any_date.py --invoices {args.invoices}"
        f" --runs {args.runs}`",
        f"Date: {dt.date.today()}; machine: {os.cpu_count()} cores, {platform.platform()},"
        f" Python {platform.python_version()}",
        "",
        f"**{args.invoices:,} invoices, {rows:,} balance periods: median {median:.3f} s per"
        f" call, {statistics.median(cpus):.3f} CPU s (budget {BUDGET_SECONDS} s)**",
        "",
        "| date | median wall (s) | median CPU (s) |",
        "|---|---|---|",
        *(
            f"| {day} | {statistics.median(w for w, _ in runs):.3f}"
            f" | {statistics.median(c for _, c in runs):.3f} |"
            for day, runs in timings.items()
        ),
        "",
    ]
    record("ageing_any_date", lines)
    return 0 if median <= BUDGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
