"""Alerts: rules evaluated on a build, sent through apprise as one digest per recipient, once.

The rules (`config/amicable.yml` `alerts.rules`, README "Alerts") read the marts and the
build's check results and each yields alerts with a stable key (the fact it is about: a case,
rule and day it got stuck; a promise; a breach; a check of a build; a month's DSO). Each alert
goes to an audience: the supervisor of the agent concerned (`Alerts.supervisors`), the finance
list, the audit list. Every (alert key, recipient) pair is sent once: `alerts.sent` in the
warehouse records what went to whom and when, and an alert already recorded for a recipient is
left out. A recipient's digest is recorded only once apprise reports every one of its URLs
delivered it; a failed delivery is reported (recipient name and URL scheme, never the URL) and
tried again the next time.

Who writes `alerts.sent`: `amicable build` evaluates the build in its slot, before the slot is
published and while it holds the build lock (`orchestration.build.run_build`), so the record
is part of the build readers then open; the table is carried into the next build's slot like
the `raw` and `quality` history (`orchestration.catch_up`). `amicable alerts` and the Dagster
sensor write the published warehouse under the build lock (`locked_warehouse`). On a
PostgreSQL warehouse (issue 16) the same SQL runs translated (`dashboards.postgres`), the
build evaluates its published marts right after publication, under its lock
(`orchestration.pg_build.send_alerts`), and `alerts.sent` is one table every build shares, as
`raw` and `quality` are there.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import duckdb

from amicable.config import Alerts, Config
from dashboards.postgres import Connection, commit, first_line, has_table, rollback

TABLE = "alerts.sent"
DDL = f"""
create table if not exists {TABLE} (
    alert_key varchar not null,
    rule varchar not null,
    recipient varchar not null,
    run_id varchar not null,
    sent_at timestamp not null,
    subject varchar not null,
    detail varchar
)"""
# A run of the build job that `amicable build` started carries this tag: the build sends the
# run's alerts itself (`orchestration.build`), so the Dagster sensor leaves them
# (`orchestration.sensors`).
ALERTS_TAG = "amicable/alerts"
SENT_BY_BUILD = "sent-by-build"
SUPERVISOR, FINANCE, AUDIT, DATA_QUALITY = "supervisor", "finance", "audit", "data_quality"
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Alert:
    key: str  # the fact it is about; sent once per recipient
    rule: str
    subject: str  # one line
    detail: str
    audiences: tuple[str, ...]
    agent_id: str | None = None  # whose supervisor hears of it


@dataclass
class Digest:
    """The alerts one recipient has not had yet, in one message."""

    recipient: str
    alerts: list[Alert]
    as_of: date | None = None

    @property
    def title(self) -> str:
        when = f" (build as of {self.as_of})" if self.as_of else ""
        return f"amicable: {len(self.alerts)} new alert(s){when}"

    @property
    def body(self) -> str:
        lines: list[str] = []
        for rule in dict.fromkeys(a.rule for a in self.alerts):
            alerts = [a for a in self.alerts if a.rule == rule]
            lines.append(f"{RULE_TITLES[rule]} ({len(alerts)})")
            lines += [f"- {a.subject}: {a.detail}" for a in alerts]
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


@dataclass
class AlertsOutcome:
    """What one evaluation found and did."""

    digests: list[Digest] = field(default_factory=list)  # to send (or that were sent)
    already_sent: int = 0  # (alert, recipient) pairs recorded earlier, left out
    unrouted: list[Alert] = field(default_factory=list)  # no recipient configured
    delivered: list[str] = field(default_factory=list)  # recipients
    failed: list[str] = field(default_factory=list)  # one line per failed recipient
    # one line per recipient whose digest went out but whose record the warehouse refused
    unrecorded: list[str] = field(default_factory=list)


RULE_TITLES = {
    "case_stuck": "Cases newly stuck",
    "promise_due_tomorrow": "Promises falling due tomorrow",
    "promise_broken": "Promises broken and not followed up",
    "compliance_breach": "Compliance breaches",
    "data_quality_blocking": "Data-quality checks blocking publication",
    "dso_above": "DSO above its threshold",
}
_STUCK = {"stage_sla": "over its stage SLA", "no_contact": "without contact"}


def _rows(con: Connection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _case_stuck(con: Connection, config: Config) -> list[Alert]:
    rows = _rows(
        con,
        "select case_id, agent_id, rule, stuck_since, days_elapsed, threshold_days, stage"
        " from marts.fct_stuck_cases where rule in ('stage_sla', 'no_contact')"
        " order by case_id, rule",
    )
    return [
        Alert(
            key=f"case_stuck:{r['case_id']}:{r['rule']}:{r['stuck_since']}",
            rule="case_stuck",
            subject=f"case {r['case_id']} {_STUCK[r['rule']]} since {r['stuck_since']}",
            detail=(
                f"stage {r['stage']}, {r['days_elapsed']} days (limit {r['threshold_days']}), "
                f"agent {r['agent_id'] or 'none'}"
            ),
            audiences=(SUPERVISOR,),
            agent_id=r["agent_id"],
        )
        for r in rows
    ]


_PROMISES = """
select p.promise_id, p.case_id, coalesce(c.owner_agent_id, p.agent_id) as agent_id,
    p.promised_date, p.promised_amount, p.currency, p.window_end_date, p.days_since_window_end
from marts.fct_promises as p
left join marts.dim_cases as c on p.case_id = c.case_id
cross join marts.dim_build as b
where {condition}
order by p.promise_id
"""


def _promise_due_tomorrow(con: Connection, config: Config) -> list[Alert]:
    condition = (
        "p.outcome = 'pending' and not p.is_replaced"
        " and p.promised_date = b.as_of_date + interval 1 day"
    )
    return [
        Alert(
            key=f"promise_due_tomorrow:{r['promise_id']}",
            rule="promise_due_tomorrow",
            subject=f"promise {r['promise_id']} on case {r['case_id']} due {r['promised_date']}",
            detail=f"{r['promised_amount']} {r['currency']}, agent {r['agent_id'] or 'none'}",
            audiences=(SUPERVISOR,),
            agent_id=r["agent_id"],
        )
        for r in _rows(con, _PROMISES.format(condition=condition))
    ]


def _promise_broken(con: Connection, config: Config) -> list[Alert]:
    condition = (
        "p.outcome = 'broken' and not p.is_replaced and p.follow_up_at is null"
        " and p.days_since_window_end > ?"
    )
    days = config.stuck_cases.broken_promise_follow_up_days
    return [
        Alert(
            key=f"promise_broken:{r['promise_id']}",
            rule="promise_broken",
            subject=f"promise {r['promise_id']} on case {r['case_id']} broken, no follow-up",
            detail=(
                f"{r['promised_amount']} {r['currency']} promised for {r['promised_date']}, "
                f"no contact since its window ended {r['window_end_date']} "
                f"({r['days_since_window_end']} days), agent {r['agent_id'] or 'none'}"
            ),
            audiences=(SUPERVISOR,),
            agent_id=r["agent_id"],
        )
        for r in _rows(con, _PROMISES.format(condition=condition), [days])
    ]


def _compliance_breach(con: Connection, config: Config) -> list[Alert]:
    rows = _rows(
        con,
        "select breach_id, rule_id, case_id, agent_id, occurred_at, legal_reference"
        " from marts.fct_compliance_breaches where not is_unverifiable"
        " order by occurred_at, breach_id",
    )
    return [
        Alert(
            key=f"compliance_breach:{r['breach_id']}",
            rule="compliance_breach",
            subject=f"{r['rule_id']} on case {r['case_id']} at {r['occurred_at']} UTC",
            detail=f"{r['legal_reference']}, agent {r['agent_id'] or 'none'}",
            audiences=(AUDIT, SUPERVISOR),
            agent_id=r["agent_id"],
        )
        for r in rows
    ]


def _data_quality_blocking(con: Connection, config: Config, run_id: str | None) -> list[Alert]:
    if not has_table(con, "quality", "check_results"):
        return []
    run = run_id or _latest_run(con)
    rows = _rows(
        con,
        "select check_name, asset, failing_count, description from quality.check_results"
        " where run_id = ? and status = 'fail' order by asset, check_name",
        [run],
    )
    return [
        Alert(
            key=f"data_quality_blocking:{run}:{r['asset']}:{r['check_name']}",
            rule="data_quality_blocking",
            subject=f"{r['check_name']} on {r['asset']} blocks the build (run {run})",
            detail=f"{r['failing_count']} failing row(s); {r['description'] or ''}".rstrip("; "),
            audiences=(DATA_QUALITY,),
        )
        for r in rows
    ]


def _dso_above(con: Connection, config: Config) -> list[Alert]:
    rule = config.alerts.rules.dso_above
    rows = _rows(
        con,
        "select month, standard_dso_days from marts.fct_dso"
        " where segment = ? and not is_partial_period order by month desc limit 1",
        [rule.segment],
    )
    return [
        Alert(
            key=f"dso_above:{rule.segment}:{r['month']:%Y-%m}",
            rule="dso_above",
            subject=f"DSO {r['standard_dso_days']} days in {r['month']:%Y-%m} ({rule.segment})",
            detail=f"above the threshold of {rule.threshold_days:g} days (standard DSO)",
            audiences=(FINANCE,),
        )
        for r in rows
        if r["standard_dso_days"] is not None and r["standard_dso_days"] > rule.threshold_days
    ]


def _latest_run(con: Connection) -> str | None:
    row = con.execute(
        "select run_id from quality.check_results order by evaluated_at desc limit 1"
    ).fetchone()
    return row[0] if row else None


MART_RULES = {
    "case_stuck": _case_stuck,
    "promise_due_tomorrow": _promise_due_tomorrow,
    "promise_broken": _promise_broken,
    "compliance_breach": _compliance_breach,
    "dso_above": _dso_above,
}


def evaluate(
    con: Connection,
    config: Config,
    run_id: str | None = None,
    rules: Iterable[str] | None = None,
) -> list[Alert]:
    """The alerts of the enabled `rules` (default: every rule) on the warehouse `con` reads;
    `run_id`: the build whose blocking checks count (default: the latest recorded)."""
    chosen = set(rules) if rules is not None else set(RULE_TITLES)
    enabled = config.alerts.rules
    alerts: list[Alert] = []
    for name, rule in MART_RULES.items():
        if name in chosen and getattr(enabled, name).enabled:
            alerts += rule(con, config)
    if "data_quality_blocking" in chosen and enabled.data_quality_blocking.enabled:
        alerts += _data_quality_blocking(con, config, run_id)
    return alerts


def supervisors_of_agents(con: Connection) -> dict[str, str | None]:
    """Agent id -> its supervisor's agent id (the agents feed; None for a supervisor)."""
    if not has_table(con, "staging", "stg_cases__agents"):
        return {}
    rows = con.execute("select agent_id, supervisor_id from staging.stg_cases__agents").fetchall()
    return dict(rows)


def recipients(alert: Alert, alerts: Alerts, supervisor_of: dict[str, str | None]) -> list[str]:
    """The recipient names `alert` goes to (README "Alerts": who hears of what)."""
    names: list[str] = []
    for audience in alert.audiences:
        if audience == SUPERVISOR:
            agent = alert.agent_id
            boss = supervisor_of.get(agent) if agent else None
            name = (
                alerts.supervisors.get(agent or "")
                or alerts.supervisors.get(boss or "")
                or alerts.supervisor_fallback
            )
            names += [name] if name else []
        elif audience == FINANCE:
            names += alerts.finance
        elif audience == AUDIT:
            names += alerts.audit
        elif audience == DATA_QUALITY:
            dq = alerts.rules.data_quality_blocking.recipients
            names += dq or [*alerts.finance, *alerts.audit]
    return list(dict.fromkeys(names))


def sent_pairs(con: Connection) -> set[tuple[str, str]]:
    """(alert key, recipient) of every alert recorded as sent."""
    if not has_table(con, "alerts", "sent"):
        return set()
    return set(con.execute(f"select alert_key, recipient from {TABLE}").fetchall())


def plan(
    con: Connection,
    config: Config,
    run_id: str | None = None,
    rules: Iterable[str] | None = None,
    as_of: date | None = None,
) -> AlertsOutcome:
    """Evaluate the rules and group the alerts not yet sent by recipient (nothing is sent)."""
    alerts = evaluate(con, config, run_id, rules)
    supervisor_of = supervisors_of_agents(con) if alerts else {}
    sent = sent_pairs(con)
    as_of = as_of or _as_of(con)
    outcome = AlertsOutcome()
    by_recipient: dict[str, list[Alert]] = {}
    for alert in alerts:
        names = recipients(alert, config.alerts, supervisor_of)
        if not names:
            outcome.unrouted.append(alert)
        for name in names:
            if (alert.key, name) in sent:
                outcome.already_sent += 1
            else:
                by_recipient.setdefault(name, []).append(alert)
    outcome.digests = [Digest(name, found, as_of) for name, found in sorted(by_recipient.items())]
    return outcome


def _as_of(con: Connection) -> date | None:
    if not has_table(con, "marts", "dim_build"):
        return None
    row = con.execute("select as_of_date from marts.dim_build").fetchone()
    return row[0] if row else None


class MissingVariable(Exception):
    """A `${VAR}` of a recipient URL is not set in the environment."""


def expand(url: str) -> str:
    """`url` with each `${VAR}` replaced by the environment's value."""

    def value(match: re.Match[str]) -> str:
        name = match[1]
        if name not in os.environ:
            raise MissingVariable(f"environment variable {name} is not set")
        return os.environ[name]

    return _VAR.sub(value, url)


def scheme(url: str) -> str:
    """`mailtos` for `mailtos://...`: what a message may say of a URL (never its secrets)."""
    return url.split("://", 1)[0]


def _redact(text: str, urls: list[str]) -> str:
    """`text` without any URL of the recipient nor its password (as written or decoded)."""
    for url in urls:
        password = urlsplit(url).password or ""
        secrets = {url, password, unquote(password)}
        for secret in sorted(filter(None, secrets), key=len, reverse=True):
            text = text.replace(secret, "***")
    return text


def deliver(digest: Digest, urls: list[str]) -> str | None:
    """Send `digest` to each of `urls` through apprise: None when every URL delivered it,
    else why not, naming the recipient and the URL schemes only."""
    import apprise

    schemes = ", ".join(f"{scheme(u)}://" for u in urls)
    where = f"{digest.recipient} ({schemes})"
    try:
        expanded = [expand(u) for u in urls]
    except MissingVariable as exc:
        return f"{where}: not sent: {exc}"
    notifier = apprise.Apprise()
    for index, url in enumerate(expanded, start=1):
        if not notifier.add(url):
            return f"{where}: not sent: apprise does not accept URL {index} ({scheme(url)}://)"
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as log:
        delivered = notifier.notify(
            title=digest.title, body=digest.body, body_format=apprise.NotifyFormat.TEXT
        )
        captured = log.getvalue()
    if delivered:
        return None
    reason = " ".join(_redact(captured, expanded).split()) or "no reason given"
    return f"{where}: delivery failed ({reason})"


def create_table(con: Connection) -> None:
    """`alerts.sent`, when missing (only then: PostgreSQL asks for the right to create even
    when the schema exists), committed before any digest goes out."""
    if not has_table(con, "alerts", "sent"):
        con.execute("create schema if not exists alerts")
        con.execute(DDL)
        commit(con)


def record(con: Connection, digest: Digest, run_id: str, sent_at: datetime) -> None:
    """What `digest` delivered, in `alerts.sent`, committed at once (on PostgreSQL, so that a
    later failure cannot undo the record of a digest already delivered)."""
    con.executemany(
        f"insert into {TABLE} values (?, ?, ?, ?, ?, ?, ?)",
        [
            [a.key, a.rule, digest.recipient, run_id, sent_at, a.subject, a.detail]
            for a in digest.alerts
        ],
    )
    commit(con)


def send(
    con: Connection,
    config: Config,
    run_id: str | None = None,
    rules: Iterable[str] | None = None,
    as_of: date | None = None,
) -> AlertsOutcome:
    """Evaluate, send each recipient its digest, record what was delivered (`con` read-write).
    `run_id`: the build (its blocking checks count; the rows it records carry it), else a new
    id of this evaluation; `as_of`: the build's date the digests name (default: the warehouse's
    `marts.dim_build`, which a blocked PostgreSQL build has not replaced)."""
    outcome = plan(con, config, run_id, rules, as_of)
    stamp = run_id or f"alerts-{uuid.uuid4()}"
    if outcome.digests:
        create_table(con)
    for digest in outcome.digests:
        urls = config.alerts.recipients[digest.recipient]
        try:
            failure = deliver(digest, urls)
        except Exception as exc:  # a notifier's bug must not stop the build that sends
            schemes = ", ".join(f"{scheme(u)}://" for u in urls)
            failure = f"{digest.recipient} ({schemes}): delivery failed ({type(exc).__name__})"
        if failure:
            outcome.failed.append(failure)
            continue
        try:
            record(con, digest, stamp, datetime.now(UTC).replace(tzinfo=None))
        except Exception as exc:  # the warehouse's error: the digest went out all the same
            rollback(con)
            outcome.unrecorded.append(f"{digest.recipient}: {first_line(exc)}")
            continue
        outcome.delivered.append(digest.recipient)
    return outcome


def summary(outcome: AlertsOutcome, dry_run: bool = False) -> list[str]:
    """Lines for the terminal: per recipient, its digest (in full on a dry run)."""
    count = sum(len(d.alerts) for d in outcome.digests)
    verb = "would send" if dry_run else "sent"
    lines = [
        f"alerts: {count} new alert(s) for {len(outcome.digests)} recipient(s); "
        f"{outcome.already_sent} already sent"
    ]
    for digest in outcome.digests:
        if dry_run:
            lines.append(f"--- {verb} to {digest.recipient}: {digest.title}")
            lines += [f"    {line}" if line else "" for line in digest.body.splitlines()]
        elif digest.recipient in outcome.delivered:
            lines.append(f"  {verb} to {digest.recipient}: {len(digest.alerts)} alert(s)")
    lines += [f"  NOT SENT {line}; tried again next time" for line in outcome.failed]
    lines += [
        f"  NOT RECORDED {line}: delivered, but not recorded in {TABLE}, so sent again next time"
        for line in outcome.unrecorded
    ]
    if outcome.unrouted:
        rules = sorted({a.rule for a in outcome.unrouted})
        lines.append(
            f"  {len(outcome.unrouted)} alert(s) with no recipient configured "
            f"({', '.join(rules)}; config alerts.recipients)"
        )
    return lines


@contextmanager
def locked_warehouse(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to the published slot of `warehouse`, under its build lock
    (a build never writes it meanwhile), once no reader is inside a query on it."""
    from orchestration.publish import build_lock, published_path, wait_for_readers

    live = published_path(warehouse)
    with build_lock(live):
        target = live.resolve()
        wait_for_readers(target)
        with duckdb.connect(str(target)) as con:
            yield con


def send_to_published(warehouse: Path, config: Config, run_id: str | None = None) -> AlertsOutcome:
    """Evaluate the published warehouse, send and record (`amicable alerts`, the sensor)."""
    with locked_warehouse(warehouse) as con:
        return send(con, config, run_id)
