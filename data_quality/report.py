"""The data-quality report: one static HTML file from `quality.check_results` (and
`quality.source_freshness`) of one run, the equivalent of Great Expectations' Data Docs.

GX 1.x builds Data Docs from a file data context with stored validation results; the suites
here validate in an ephemeral context and record their results in the warehouse instead, so
the report is rendered from the warehouse: every check of the run (failures first) with its
asset, status, level, failing count, sample of failing keys, description and details, the
freshness of every source, and the status counts of recent runs.

`amicable build` writes it to `<warehouse folder>/logs/<its name>/quality.html` (`report_path`),
from a DuckDB warehouse or, through `dashboards.postgres`, a PostgreSQL one (its statements are
portable); to render a DuckDB warehouse's again:
`uv run python -m data_quality.report <warehouse.duckdb> [run_id]`.
"""

from __future__ import annotations

import json
import sys
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from amicable.settings import run_files_dir
from data_quality.freshness import TABLE as FRESHNESS_TABLE
from data_quality.results import TABLE as RESULTS_TABLE

if TYPE_CHECKING:
    from dashboards.postgres import Connection

STATUS_ORDER = {"fail": 0, "warn": 1, "skipped": 2, "pass": 3}
HISTORY_RUNS = 10
_CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.fail { background: #fbe3e3; } .warn { background: #fff4d6; } .pass { background: #e8f5e9; }
.skipped { background: #eeeeee; }
.stale { background: #fff4d6; } .fresh { background: #e8f5e9; }
pre { margin: 0; white-space: pre-wrap; max-width: 60em; }
"""


def report_path(warehouse: Path) -> Path:
    return run_files_dir(Path(warehouse)) / "quality.html"


def _exists(con: Connection, table: str) -> bool:
    from dashboards.postgres import has_table

    return has_table(con, *table.split("."))


def latest_run_id(con: Connection) -> str | None:
    """The run of the most recent check evaluation, None before any check ran."""
    if not _exists(con, RESULTS_TABLE):
        return None
    row = con.execute(
        f"select run_id from {RESULTS_TABLE} order by evaluated_at desc limit 1"
    ).fetchone()
    return row[0] if row else None


def _table(header: list[str], rows: list[list[str]], classes: list[str]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        f'<tr class="{c}">' + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>"
        for row, c in zip(rows, classes, strict=True)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _folded(summary: str, text: str) -> str:
    return f"<details><summary>{escape(summary)}</summary><pre>{escape(text)}</pre></details>"


def _check_rows(con: Connection, run_id: str) -> list[tuple]:
    rows = con.execute(
        f"""
        select status, check_name, asset, blocking, failing_count, failing_keys, description,
            details
        from {RESULTS_TABLE} where run_id = ? order by asset, check_name
        """,
        [run_id],
    ).fetchall()
    return sorted(rows, key=lambda r: STATUS_ORDER.get(r[0], len(STATUS_ORDER)))


def _checks_section(rows: list[tuple]) -> str:
    cells = []
    for status, check, asset, blocking, count, keys, description, details in rows:
        sample = json.loads(keys or "[]")
        cells.append(
            [
                escape(status.upper()),
                escape(check),
                escape(asset),
                "can block" if blocking else "warning",
                str(count),
                _folded(f"{len(sample)} key(s)", "\n".join(sample)) if sample else "",
                escape(description or ""),
                _folded("details", json.dumps(json.loads(details), indent=2)) if details else "",
            ]
        )
    header = ["status", "check", "asset", "level", "failing", "sample keys", "description"]
    return "<h2>Checks</h2>" + _table([*header, "details"], cells, [r[0] for r in rows])


def _freshness_section(con: Connection, run_id: str) -> str:
    if not _exists(con, FRESHNESS_TABLE):
        return ""
    rows = con.execute(
        f"""
        select source_table, measured_on, newest_record_at, as_of_date, age_hours, cadence_hours,
            status
        from {FRESHNESS_TABLE} where run_id = ? order by status desc, source_table
        """,
        [run_id],
    ).fetchall()
    if not rows:
        return ""
    cells = [
        [
            escape(table),
            escape(measured_on),
            escape(str(newest) if newest else "none loaded"),
            escape(str(as_of)),
            "" if age is None else f"{age:.1f}",
            str(cadence),
            escape(status),
        ]
        for table, measured_on, newest, as_of, age, cadence, status in rows
    ]
    header = ["source", "measured on", "newest record", "as of", "age (h)", "cadence (h)"]
    return "<h2>Source freshness</h2>" + _table([*header, "status"], cells, [r[6] for r in rows])


def _history_section(con: Connection) -> str:
    rows = con.execute(
        f"""
        select run_id, min(evaluated_at) as first_at,
            count(*) filter (where status = 'pass') as passed,
            count(*) filter (where status = 'warn') as warned,
            count(*) filter (where status = 'fail') as failed,
            count(*) filter (where status = 'skipped') as skipped
        from {RESULTS_TABLE} group by run_id order by first_at desc limit {HISTORY_RUNS}
        """
    ).fetchall()
    cells = [[escape(str(c)) for c in row] for row in rows]
    classes = ["fail" if r[4] else "warn" if r[3] else "pass" for r in rows]
    title = f"<h2>Recent runs (last {HISTORY_RUNS})</h2>"
    header = ["run", "first check at", "pass", "warn", "fail", "skipped"]
    return title + _table(header, cells, classes)


def render(con: Connection, run_id: str) -> str:
    """The whole report of `run_id` as one HTML document."""
    rows = _check_rows(con, run_id)
    counts = {s: sum(r[0] == s for r in rows) for s in STATUS_ORDER}
    summary = (
        f"{len(rows)} checks: {counts['fail']} failed, {counts['warn']} warned, "
        f"{counts['pass']} passed, {counts['skipped']} not run (a step before them failed)"
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>Data quality: {escape(run_id)}</title><style>{_CSS}</style></head><body>"
        f"<h1>Data quality report</h1><p>Run <code>{escape(run_id)}</code>. {summary}. "
        "FAIL: the check blocks publication (the build was not published; the dashboard "
        "keeps the last good build). WARN: its rows are flagged or it is a warning; the "
        "build goes on. Every check runs in every build. "
        f"Source: <code>{RESULTS_TABLE}</code>, <code>{FRESHNESS_TABLE}</code>.</p>"
        + _checks_section(rows)
        + _freshness_section(con, run_id)
        + _history_section(con)
        + "</body></html>\n"
    )


def write_report(con: Connection, out: Path, run_id: str | None = None) -> Path | None:
    """Write the report of `run_id` (default: the latest run) to `out`; None if no check ran."""
    run_id = run_id or latest_run_id(con)
    if run_id is None:
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(con, run_id), encoding="utf-8")
    return out


def main(argv: list[str]) -> int:
    if not argv or not Path(argv[0]).is_file():
        print("usage: python -m data_quality.report <warehouse.duckdb> [run_id]", file=sys.stderr)
        return 2
    warehouse = Path(argv[0])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        written = write_report(con, report_path(warehouse), argv[1] if len(argv) > 1 else None)
    print(written or f"no check results in {warehouse} yet: run `amicable build` first")
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
