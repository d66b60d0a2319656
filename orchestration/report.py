"""Print a build outcome as plain-text tables for the terminal."""

from __future__ import annotations

from collections import Counter

from amicable.alerts import summary as alerts_summary
from amicable.settings import Settings
from orchestration.build import BuildOutcome, CheckLine, build_log_path


def _table(header: list[str], rows: list[list[object]]) -> str:
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )

    return "\n".join(
        [line(cells[0]), line(["-" * w for w in widths])] + [line(r) for r in cells[1:]]
    )


_RESULT = {"pass": "pass", "warn": "WARN", "fail": "BLOCKS", "skipped": "not run"}
_SHOWN_KEYS = 5


def _result(check: CheckLine) -> str:
    return _RESULT.get(check.status, check.status)


def _keys(check: CheckLine) -> str:
    shown = ", ".join(check.failing_keys[:_SHOWN_KEYS])
    more = len(check.failing_keys) - _SHOWN_KEYS
    return f" (keys: {shown}{f', ... {more} more' if more > 0 else ''})" if shown else ""


def format_outcome(outcome: BuildOutcome, settings: Settings) -> str:
    out = [
        f"warehouse {settings.warehouse}  landing {settings.landing}  as of {settings.as_of}",
        "",
    ]
    rows: list[list[object]] = [
        [s.source_table, s.rows_read, s.rows_loaded, s.rows_quarantined, s.files_rejected]
        for s in sorted(outcome.sources, key=lambda s: s.source_table)
    ]
    totals = [sum(r[i] for r in rows) for i in range(1, 5)]  # type: ignore[misc]
    rows.append(["total", *totals])
    out.append(_table(["source", "read", "loaded", "quarantined", "files rejected"], rows))
    if outcome.quarantined:
        out.append(
            f"\nquarantined by this run ({outcome.quarantine_total} line(s), see raw.quarantine):"
        )
        out += [f"  {line}" for line in outcome.quarantined]
        if outcome.quarantine_total > len(outcome.quarantined):
            out.append(f"  ... and {outcome.quarantine_total - len(outcome.quarantined)} more")
    out.append("")
    quality = [c for c in outcome.checks if not c.from_dbt]
    out.append(
        _table(
            ["check", "asset", "result", "can block"],
            [[c.check, c.asset, _result(c), "yes" if c.blocking else "no"] for c in quality],
        )
    )
    warned = [c for c in quality if c.status == "warn"]
    if warned:
        out.append(f"\nflagged or warned ({len(warned)}, not blocking; figures still published):")
        out += [f"  WARN {c.check} on {c.asset}: {c.description}{_keys(c)}" for c in warned]
    dbt = Counter(c.status for c in outcome.checks if c.from_dbt)
    out.append(
        f"\ndbt tests: {dbt['pass']} passed, {dbt['warn']} warned, {dbt['fail']} blocking"
        + (f", {dbt['skipped']} not run" if dbt["skipped"] else "")
    )
    for c in outcome.checks:
        if c.from_dbt and c.status in ("warn", "fail"):
            out.append(f"  {_result(c)} {c.check} on {c.asset}")
    if outcome.failed_steps:
        out.append(f"\nfailed steps: {', '.join(outcome.failed_steps)}")
        out += [f"  {e}" for e in outcome.errors]
    if outcome.skipped_steps:
        out.append(f"skipped (upstream failed): {', '.join(outcome.skipped_steps)}")
    blocking = outcome.failed_blocking_checks
    if blocking:
        out.append(f"\nblocking publication ({len(blocking)}):")
        out += [f"  BLOCKS {c.check} on {c.asset}: {c.description}{_keys(c)}" for c in blocking]
    if outcome.alerts is not None:
        out += ["", *alerts_summary(outcome.alerts)]
    if outcome.scores:
        out += ["", *outcome.scores]
    out.append(f"\ndbt log: {build_log_path(settings)}")
    if outcome.report is not None:
        out.append(f"quality report: {outcome.report}")
    if outcome.ok:
        out.append("build succeeded and published")
    else:
        reason = "a check blocks publication" if blocking else "a step failed"
        out.append(
            f"build NOT PUBLISHED ({reason}): the dashboard keeps the previous build; "
            f"this build is kept for the investigation at {outcome.rejected}"
        )
    return "\n".join(out)


def print_outcome(outcome: BuildOutcome, settings: Settings) -> None:
    print(format_outcome(outcome, settings))
