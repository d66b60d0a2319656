"""Every page, as its role opens it: signed in through the real form, opened by address with
filter values (the pages with published figures at a filter cell of the marts, the others at
the README's example address with its `…` filled in), each filter showing the value the address
chose and none "not recognised", their KPIs and CSV exports read in chromium and compared with
direct SQL on the marts for that filter cell. Used by `test_signed_in_pages_in_chromium.py`
(the sample) and runnable on any warehouse:

    uv run python -m tests.browser.signed_in_pages WAREHOUSE USERS_FILE PASSWORD

(users `finance`, `supervisor` and `auditor` in USERS_FILE, as `amicable demo` writes them).
Expectations are read before the app starts, on a read-only connection that is closed again.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import duckdb
import pandas as pd

from dashboards.app import PAGES
from dashboards.queries import MIN_CONTACTS_FOR_RATE
from dashboards.queries.core import sql_text
from tests.browser import harness

Query = Callable[[str, list], list[tuple]]

METRIC = '[data-testid="stMetric"]'
DOWNLOAD = '[data-testid="stDownloadButton"] button'
WARNING = '[data-testid="stAlertContentWarning"]'
NOT_RECOGNISED = "is not recognised here"  # `dashboards.ui.choice`'s warning
README = Path(__file__).resolve().parents[2] / "README.md"
PLACEHOLDER = "…"


@dataclass(frozen=True)
class PageCheck:
    """One page at one filter cell: what the role must see there."""

    role: str
    url_path: str
    filters: dict[str, str]
    title: str
    metrics: dict[str, str]  # label -> value as shown
    exports: dict[str, pd.DataFrame] = field(default_factory=dict)  # CSV name start -> rows
    texts: tuple[str, ...] = ()  # lines the page shows for the filters (a drill's caption)
    undrawn: tuple[str, ...] = ()  # filters the page does not draw on this warehouse

    @property
    def address(self) -> str:
        return f"{self.url_path}?{urlencode(self.filters)}"


def readme_example(url_path: str, values: dict[str, str]) -> dict[str, str]:
    """The parameters of the README's example address of a page (its table of pages:
    `/stuck?rule=no_contact&agent=…`), each `…` replaced by `values[name]`; a value given for
    a parameter the README fills itself replaces it (the sample has no row for it)."""
    for address in re.findall(r"\(`(/[a-z]*\?[^`]+)`\)", README.read_text(encoding="utf-8")):
        parts = urlsplit(address)
        if (parts.path.strip("/") or PAGES[0].url_path) != url_path:
            continue
        example = dict(parse_qsl(parts.query))
        unknown = set(values) - set(example)
        assert not unknown, f"README: /{url_path} has no parameter {sorted(unknown)}"
        filled = {name: values.get(name, value) for name, value in example.items()}
        unfilled = [name for name, value in filled.items() if value == PLACEHOLDER]
        assert not unfilled, f"README /{url_path}: no value for {unfilled}"
        return filled
    raise AssertionError(f"README: no example address of /{url_path}")


def _month(value: date) -> str:
    return value.strftime("%Y-%m")


def _filters(names: tuple[str, ...], cell: tuple) -> dict[str, str]:
    """A filter cell as URL parameters (`names`), a date as its month."""
    values = (_month(value) if isinstance(value, date) else str(value) for value in cell)
    return dict(zip(names, values, strict=True))


def _column(query: Query, sql: str) -> list:
    """The first column of `sql`'s rows."""
    return [row[0] for row in query(sql, [])]


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


MOVES = (
    "with moves as (select case_id, stage as from_stage, next_stage as to_stage,"
    " strftime(left_at, '%Y-%m') as month, segment, strategy, owner_team,"
    " duration_seconds as seconds"
    " from marts.fct_case_stage_durations where left_at is not null)"
)


def stage_flow_check(query: Query) -> PageCheck:
    """The stage flow of a narrow cell (a segment, strategy and team with the most moves from
    the second month to the one before last, in at least 3 transitions): its figures computed
    from the ended stays of `fct_case_stage_durations`, and `fct_stage_open_stays` rows."""
    months = _column(query, f"{MOVES} select distinct month from moves order by 1")
    first, last = months[1], months[-2]
    segment, strategy, team = query(
        f"{MOVES} select segment, strategy, owner_team from moves"
        " where month between ? and ? and segment is not null and strategy is not null"
        " and owner_team is not null group by all"
        " having count(distinct (from_stage, to_stage)) >= 3"
        " order by count(*) desc, 1, 2, 3 limit 1",
        [first, last],
    )[0]
    cell = (first, last, segment, strategy, team)
    flow_columns = [
        "from_stage", "to_stage", "transition_count", "case_count",
        "median_duration_days", "p90_duration_days",
    ]  # fmt: skip
    durations = (
        " cast(round(quantile_cont(seconds / 86400.0, 0.5), 4) as decimal(18, 4)),"
        " cast(round(quantile_cont(seconds / 86400.0, 0.9), 4) as decimal(18, 4))"
        " from moves where month between ? and ? and segment = ? and strategy = ?"
        " and owner_team = ?"
    )
    flow = query(
        f"{MOVES} select from_stage, to_stage, count(*), count(distinct case_id), {durations}"
        " group by from_stage, to_stage order by 5 desc, from_stage, to_stage",
        list(cell),
    )
    stage_columns = ["stage", "stays_completed", "median_days", "p90_days"]
    completed = query(
        f"{MOVES} select from_stage, count(*), {durations} group by from_stage", list(cell)
    )
    running = query(
        "select stage, stays_running, median_running_days from marts.fct_stage_open_stays"
        " where segment = ? and strategy = ? and owner_team = ?",
        [segment, strategy, team],
    )
    stage_time = _frame(completed, stage_columns).merge(
        _frame(running, ["stage", "stays_running", "median_running_days"]),
        on="stage",
        how="outer",
    )
    stage_time[["stays_completed", "stays_running"]] = (
        stage_time[["stays_completed", "stays_running"]].fillna(0).astype(int)
    )
    return PageCheck(
        role="supervisor",
        url_path="flow",
        filters=_filters(("from", "to", "segment", "strategy", "team"), cell),
        title="Stage flow",
        metrics={
            "Moves": f"{sum(row[2] for row in flow):,}",
            "Slowest transition (median days)": f"{flow[0][4]:.1f}",
        },
        exports={"stage_flow_": _frame(flow, flow_columns), "time_in_stage_": stage_time},
    )


def recovery_check(query: Query) -> PageCheck:
    """The recovery curves of a segment and strategy (not `all`) over the cohorts but the first
    and the last: `fct_recovery_curves` rows, each cohort's latest month on book summed."""
    cell = query(
        "with cohorts as (select distinct placement_month from marts.fct_recovery_curves)"
        " select segment, strategy,"
        " (select min(placement_month) from cohorts"
        "  where placement_month > (select min(placement_month) from cohorts)),"
        " (select max(placement_month) from cohorts"
        "  where placement_month < (select max(placement_month) from cohorts))"
        " from marts.fct_recovery_curves where segment <> 'all' and strategy <> 'all'"
        " and month_on_book = 0 group by all order by sum(cases_count) desc, 1, 2 limit 1",
        [],
    )[0]
    segment, strategy, first, last = cell
    columns = [
        "placement_month", "month_on_book", "cases_count", "placed_amount_rc",
        "recovered_amount_rc", "recovery_rate",
    ]  # fmt: skip
    latest = query(
        f"select {', '.join(columns)} from marts.fct_recovery_curves"
        " where placement_month between ? and ? and segment = ? and strategy = ?"
        " qualify month_on_book = max(month_on_book) over (partition by placement_month)"
        " order by placement_month",
        [first, last, segment, strategy],
    )
    (currency,) = query("select reporting_currency from marts.dim_build", [])[0]
    placed = sum(row[3] for row in latest)
    recovered = sum(row[4] for row in latest)
    return PageCheck(
        role="finance",
        url_path="recovery",
        filters=_filters(("segment", "strategy", "first", "last"), cell),
        title="Recovery curves",
        metrics={
            "Cases placed": f"{sum(row[2] for row in latest):,}",
            f"Placed ({currency})": f"{placed:,.2f}",
            "Recovered to date": _share(float(recovered / placed) if placed else None),
        },
        exports={"recovery_cohorts_": _frame(latest, columns)},
    )


def breaches_check(query: Query) -> PageCheck:
    """The breaches of the rule with the most, in its jurisdiction with the most, over the months
    with a breach of it: the rule's `fct_compliance_summary` rows (the contacts it governs)
    for the KPIs, every rule's for the table by rule."""
    cell = query(
        "select rule_id, jurisdiction, min(month), max(month)"
        " from marts.fct_compliance_summary where breaches > 0"
        " group by rule_id, jurisdiction order by sum(breaches) desc, 1, 2 limit 1",
        [],
    )[0]
    rule, jurisdiction, first, last = cell
    breaches, contacts, unverifiable = query(
        "select sum(breaches), sum(outbound_contacts), sum(unverifiable_contacts)"
        " from marts.fct_compliance_summary"
        " where rule_id = ? and jurisdiction = ? and month between ? and ?",
        [rule, jurisdiction, first, last],
    )[0]
    by_rule = query(
        "select rule_id, sum(breaches), sum(outbound_contacts)"
        " from marts.fct_compliance_summary where jurisdiction = ? and month between ? and ?"
        " group by rule_id order by rule_id",
        [jurisdiction, first, last],
    )
    return PageCheck(
        role="auditor",
        url_path="breaches",
        filters=_filters(("rule", "jurisdiction", "from", "to"), cell),
        title="Compliance breaches",
        metrics={
            "Breaches": f"{breaches:,}",
            "Outbound contacts": f"{contacts:,}",
            "Per 1,000 contacts": _breach_rate(breaches, contacts),
            "Unverifiable contacts": f"{unverifiable:,}",
        },
        exports={
            "breaches_by_rule_": _frame(by_rule, ["rule_id", "breaches", "outbound_contacts"])
        },
    )


def promises_check(query: Query) -> PageCheck:
    """The broken promises of the team and segment with the most decided promises: the team's
    `fct_promise_kept_rates` rows (the KPIs' scope) and `fct_promises` for the list."""
    cell = query(
        "select team, segment from marts.fct_promises"
        " where is_decided and team is not null and segment is not null"
        " group by all order by count(*) desc, 1, 2 limit 1",
        [],
    )[0]
    team, segment = cell
    decided, kept, by_count, by_amount = query(
        "select sum(promises_decided), sum(promises_kept),"
        " round(sum(promises_kept) / sum(promises_decided), 4),"
        " case when sum(promises_without_rate) = 0 then"
        "  round(sum(kept_promised_amount_rc) / sum(promised_amount_rc), 4) end"
        " from marts.fct_promise_kept_rates where dimension = 'team' and dimension_value = ?",
        [team],
    )[0]
    unfollowed = query(
        "select promise_id, case_id, days_since_window_end from marts.fct_promises"
        " where outcome in ('broken', 'partially_kept') and follow_up_at is null"
        " and team = ? and segment = ? order by promise_id",
        [team, segment],
    )
    return PageCheck(
        role="supervisor",
        url_path="promises",
        filters=_filters(("team", "segment"), cell),
        title="Broken promises without follow-up",
        metrics={
            "Kept rate (count)": _share(by_count),
            "Kept rate (amount)": _share(by_amount),
            "Promises decided": f"{decided:,}",
            "Without follow-up": f"{len(unfollowed):,}",
        },
        exports={
            "broken_promises_": _frame(
                unfollowed, ["promise_id", "case_id", "days_since_window_end"]
            )
        }
        if unfollowed
        else {},
    )


def _breach_rate(breaches: int, contacts: int) -> str:
    """The breaches page's rate: none below its minimum of contacts."""
    if contacts >= MIN_CONTACTS_FOR_RATE:
        return f"{breaches * 1000 / contacts:.2f}"
    return f"too few contacts ({contacts:,})" if contacts else "n/a"


def _amount(value, unknown: str) -> str:
    """An amount as the finance pages show it (`ui.format_amount` without currency)."""
    return unknown if value is None else f"{value:,.2f}"


def claims_check(query: Query) -> PageCheck:
    """The late-payment claims still overdue: `fct_late_payment_interest` rows not settled for
    the KPIs, every debtor's claimable sum for the export."""
    invoices, debtors, interest, compensation, claimable, currency = query(
        "select count(*), count(distinct debtor_id),"
        " case when count(*) = count(interest_amount_rc) then sum(interest_amount_rc) end,"
        " case when count(*) = count(compensation_amount_rc)"
        "  then sum(compensation_amount_rc) end,"
        " case when count(*) = count(claimable_amount_rc) then sum(claimable_amount_rc) end,"
        " max(reporting_currency)"
        " from marts.fct_late_payment_interest where settled_on is null",
        [],
    )[0]
    assert invoices > 0, "the sample has no overdue B2B invoice: the claims check sees nothing"
    by_debtor = query(
        "select debtor_id, count(*),"
        " case when count(*) = count(claimable_amount_rc) then sum(claimable_amount_rc) end"
        " from marts.fct_late_payment_interest where settled_on is null group by debtor_id",
        [],
    )
    unknown = "unknown (no rate)"
    return PageCheck(
        role="finance",
        url_path="claims",
        filters={"status": "Still overdue"},  # the URL value is the label shown
        title="Late-payment claims",
        metrics={
            "Late invoices": f"{invoices:,}",
            f"Interest ({currency})": _amount(interest, unknown),
            f"Compensation ({currency})": _amount(compensation, unknown),
            f"Claimable ({currency})": _amount(claimable, unknown),
        },
        exports={
            "late_payment_claims_open": _frame(
                by_debtor, ["debtor_id", "invoices", "claimable_amount_rc"]
            )
        },
    )


def rolls_check(query: Query) -> PageCheck:
    """The roll-rate matrix of the B2B strategy with the most opening AR in the last period:
    `fct_ar_roll_rates` rows summed per from bucket and to state."""
    cell = query(
        "select period_end_date, segment, strategy from marts.fct_ar_roll_rates"
        " where segment = 'B2B'"
        " and period_end_date = (select max(period_end_date) from marts.fct_ar_roll_rates)"
        " group by all order by sum(opening_amount_rc) desc nulls last, 3 limit 1",
        [],
    )[0]
    columns = ["from_bucket", "to_state", "invoices", "opening_amount_rc"]
    matrix = query(
        "select from_bucket, to_state, sum(invoices), sum(opening_amount_rc)"
        " from marts.fct_ar_roll_rates where period_end_date = ? and segment = ? and strategy = ?"
        " group by from_bucket, to_state",
        list(cell),
    )
    period, segment, strategy = cell
    return PageCheck(
        role="finance",
        url_path="rolls",
        filters={"period": period.isoformat(), "segment": segment, "strategy": strategy},
        title="Roll rates",
        metrics={},
        exports={f"roll_rates_{period.isoformat()}_{segment}_{strategy}": _frame(matrix, columns)},
    )


def debtors_check(query: Query) -> PageCheck:
    """The B2B debtors' exposure ranked by open AR: `fct_debtor_exposure` rows of the segment
    for the KPIs, those owing now or at the last month end for the export."""
    owing, open_rc, disputed, promised, over, currency = query(
        "select count(*) filter (where open_items > 0),"
        " case when count(*) = count(open_amount_rc) then sum(open_amount_rc) end,"
        " case when count(*) = count(disputed_amount_rc) then sum(disputed_amount_rc) end,"
        " case when count(*) = count(promised_amount_rc) then sum(promised_amount_rc) end,"
        " count(*) filter (where is_over_limit), max(reporting_currency)"
        " from marts.fct_debtor_exposure where segment = 'B2B'",
        [],
    )[0]
    columns = ["debtor_id", "open_items", "open_amount_rc", "overdue_amount_rc"]
    exposure = query(
        f"select {', '.join(columns)} from marts.fct_debtor_exposure where segment = 'B2B'"
        " and (open_items > 0 or open_amount_month_end_rc <> 0)",
        [],
    )
    unknown = "unknown (no FX rate)"
    return PageCheck(
        role="finance",
        url_path="debtors",
        filters={"segment": "B2B", "rank": "Open AR"},
        title="Top debtors",
        metrics={
            "Debtors owing": f"{owing:,}",
            f"Open ({currency})": _amount(open_rc, unknown),
            f"Disputed ({currency})": _amount(disputed, unknown),
            f"Promised ({currency})": _amount(promised, unknown),
            "Over their credit limit": f"{over:,}",
        },
        exports={"top_debtors_B2B_open": _frame(exposure, columns)},
    )


def channels_check(query: Query) -> PageCheck:
    """The channels of the segment and stage with the most outbound contacts, over every month
    but the first: `fct_channel_effectiveness` rows summed per channel."""
    cell = query(
        "with months as (select distinct period_month from marts.fct_channel_effectiveness)"
        " select (select min(period_month) from months"
        "  where period_month > (select min(period_month) from months)),"
        " (select max(period_month) from months), segment, stage"
        " from marts.fct_channel_effectiveness where segment in ('B2B', 'B2C')"
        " group by segment, stage order by sum(contacts) desc, 3, 4 limit 1",
        [],
    )[0]
    columns = [
        "channel", "contacts", "right_party_contacts", "promises", "payments_7d",
        "payments_30d", "collected_30d_rc",
    ]  # fmt: skip
    by_channel = query(
        "select channel, sum(contacts), sum(right_party_contacts), sum(promises),"
        " sum(payments_7d), sum(payments_30d),"
        " case when count(*) = count(collected_30d_rc) then sum(collected_30d_rc) end"
        " from marts.fct_channel_effectiveness"
        " where period_month between ? and ? and segment = ? and stage = ? group by channel",
        list(cell),
    )
    filters = _filters(("from", "to", "segment", "stage"), cell)
    return PageCheck(
        role="supervisor",
        url_path="channels",
        filters=filters,
        title="Channels",
        metrics={},
        exports={f"channels_{'_'.join(filters.values())}.csv": _frame(by_channel, columns)},
    )


def queue_check(query: Query) -> PageCheck:
    """The work queue by segment: open cases scored by the latest run (none without a trained
    model), the case-months whose 30-day window has closed and the decided promises, from
    `scores.case_scores`, `fct_case_score_features` and `fct_promises` per `dim_cases`
    segment."""
    (has_scores,) = query(
        "select count(*) from duckdb_tables()"
        " where schema_name = 'scores' and table_name = 'case_scores'",
        [],
    )[0]
    scored = "select case_id from marts.dim_cases where false"
    if has_scores:
        scored = (
            "select case_id from scores.case_scores as s where score = 'pay_within_30_days'"
            " and run_id = (select arg_max(run_id, scored_at) from scores.case_scores"
            "  where score = s.score)"
            " and case_id in (select case_id from marts.fct_case_score_features where is_as_of)"
        )
    columns = ["dimension_value", "cases_scored", "case_months_labelled", "promises_decided"]
    by_segment = query(
        f"with scored as ({scored}),"
        " labelled as (select case_id, count(*) as n from marts.fct_case_score_features"
        "  where paid_within_30_days is not null group by case_id),"
        " decided as (select case_id, count(*) as n from marts.fct_promises"
        "  where is_decided group by case_id)"
        " select cases.segment, count(scored.case_id), sum(labelled.n), sum(decided.n)"
        " from marts.dim_cases as cases"
        " left join scored using (case_id) left join labelled using (case_id)"
        " left join decided using (case_id) group by cases.segment",
        [],
    )
    return PageCheck(
        role="supervisor",
        url_path="queue",
        filters={"segment": "all"},
        title="Work queue",
        metrics={},
        exports={"work_queue_by_segment.csv": _frame(by_segment, columns)},
        undrawn=() if has_scores else ("segment",),  # no model: no queue, no queue filters
    )


def _currency(query: Query) -> str:
    return query("select reporting_currency from marts.dim_build", [])[0][0]


def ageing_check(query: Query) -> PageCheck:
    """The README's ledger ageing address (the start page, at the root: `/?snapshot=…&
    segment=B2B&bucket=31-60`) at the month end with the most such items: `fct_ar_ageing`
    rows of the segment for the KPIs, of the bucket for the drill's count."""
    snapshot, listed = query(
        "select snapshot_date, count(*) from marts.fct_ar_ageing"
        " where segment = 'B2B' and ageing_bucket = '31-60' and open_amount > 0"
        " group by 1 order by 2 desc, 1 desc limit 1",
        [],
    )[0]
    (items,) = query(
        "select count(*) from marts.fct_ar_ageing"
        " where snapshot_date = ? and segment = 'B2B' and open_amount > 0",
        [snapshot],
    )[0]
    filters = readme_example("ageing", {"snapshot": snapshot.isoformat()})
    return PageCheck(
        role="finance",
        url_path="",
        filters=filters,
        title="Ledger ageing",
        metrics={"Open items": f"{items:,}"},
        texts=(f"Bucket 31-60 at {snapshot.isoformat()}, segment B2B: {listed:,} open items",),
    )


def dso_check(query: Query) -> PageCheck:
    """The README's DSO address (`/dso?segment=B2B&period=3+months`): the headline is the last
    complete period of `fct_dso_periods`, the partial as-of period beside it."""
    rows = query(
        "select month, period_end_date, standard_dso_days, countback_dso_days"
        " from marts.fct_dso_periods"
        " where segment = 'B2B' and period_months = 3 and not is_partial_period"
        " order by month desc limit 1",
        [],
    )
    month, end, standard, countback = rows[0]
    (partial,) = query(
        "select max(month) from marts.fct_dso_periods"
        " where segment = 'B2B' and period_months = 3 and is_partial_period",
        [],
    )[0]
    return PageCheck(
        role="finance",
        url_path="dso",
        filters=readme_example("dso", {}),
        title="Days sales outstanding",
        metrics={"Standard DSO": _days(standard), "Countback DSO": _days(countback)},
        texts=(
            f"Headline: {month:%Y-%m}, ending {end:%Y-%m-%d}; in grey beside each figure: "
            f"{partial:%Y-%m} to date (partial).",
        ),
    )


def _days(value) -> str:
    return "n/a" if value is None else f"{float(value):.1f} d"


def waterfall_check(query: Query) -> PageCheck:
    """The README's waterfall address between the fourth and the second last month ends, B2B,
    step "Cash applied": opening and closing AR are `fct_ar_ageing` totals at the two."""
    ends = _column(
        query,
        "select distinct snapshot_date from marts.fct_ar_ageing"
        " where snapshot_date = last_day(snapshot_date) order by 1",
    )
    first, last = ends[-4], ends[-2]
    opening, closing = (
        query(
            "select sum(open_amount_rc) from marts.fct_ar_ageing"
            " where snapshot_date = ? and segment = 'B2B'",
            [snapshot],
        )[0][0]
        for snapshot in (first, last)
    )
    currency = _currency(query)
    values = {"from": first.isoformat(), "to": last.isoformat(), "segment": "B2B"}
    return PageCheck(
        role="finance",
        url_path="waterfall",
        filters=readme_example("waterfall", {**values, "step": "Cash applied"}),
        title="Ageing waterfall",
        metrics={
            f"Opening AR ({currency})": f"{opening:,.2f}",
            f"Closing AR ({currency})": f"{closing:,.2f}",
        },
        texts=(f"Cash applied from {first.isoformat()} to {last.isoformat()}, segment B2B:",),
    )


def cash_check(query: Query) -> PageCheck:
    """The README's expected-cash address for the agent and segment with the most pending
    promises due in 30 days: `fct_cash_expected` rows summed."""
    agent, segment, promises, promised = query(
        "select agent_id, segment, count(*), sum(remaining_amount_rc)"
        " from marts.fct_cash_expected where agent_id is not null"
        " group by all order by 3 desc, 1, 2 limit 1",
        [],
    )[0]
    currency = _currency(query)
    return PageCheck(
        role="finance",
        url_path="cash",
        filters=readme_example("cash", {"segment": segment, "agent": agent}),
        title="Expected cash",
        metrics={f"Promised, next 30 days ({currency})": f"{promised:,.2f}"},
        texts=(
            f"{promises:,} pending promises due in the next 30 days, segment {segment}, "
            f"agent {agent};",
        ),
    )


def stuck_check(query: Query) -> PageCheck:
    """The README's stuck-cases address (rule `no_contact`) at a case breaking that rule, with
    its owner, team, strategy and segment (the README's B2C when the sample has one there):
    `fct_stuck_cases` rows of that cell, the case's timeline opened."""
    case, agent, team, strategy, segment = query(
        "select case_id, agent_id, team, strategy, segment from marts.fct_stuck_cases"
        " where rule = 'no_contact' order by segment = 'B2C' desc, case_id limit 1",
        [],
    )[0]
    (cases,) = query(
        "select count(distinct case_id) from marts.fct_stuck_cases where rule = 'no_contact'"
        " and agent_id = ? and team = ? and strategy = ? and segment = ?",
        [agent, team, strategy, segment],
    )[0]
    values = {"agent": agent, "team": team, "strategy": strategy, "case": case}
    return PageCheck(
        role="supervisor",
        url_path="stuck",
        filters=readme_example("stuck", {**values, "segment": segment}),
        title="Stuck cases",
        metrics={
            "Stuck cases": f"{cases:,}",
            "No contact for too long": f"{cases:,}",
            "Stage SLA exceeded": "0",
        },
        texts=(f"Case {case}: timeline",),
    )


def agents_check(query: Query) -> PageCheck:
    """The README's agent league address over the last six months of `fct_agent_daily`, the
    team of the agent with the most days of results then, that agent opened."""
    months = _column(
        query,
        "select distinct strftime(activity_date, '%Y-%m') from marts.fct_agent_daily order by 1",
    )
    first, last = months[-6], months[-1]
    team, agent = query(
        "select team, agent_id from marts.fct_agent_daily"
        " where strftime(activity_date, '%Y-%m') between ? and ? and team is not null"
        " group by all order by count(*) desc, 1, 2 limit 1",
        [first, last],
    )[0]
    values = {"from": first, "to": last, "team": team, "agent": agent}
    return PageCheck(
        role="supervisor",
        url_path="agents",
        filters=readme_example("agents", values),
        title="Agent league table",
        metrics={},
        texts=(f"Agent {agent}, {first} to {last}",),
    )


def casefile_check(query: Query) -> PageCheck:
    """The README's case-file address at the case with the most breaches: its owner and
    breaches as `dim_cases` holds them."""
    case, owner, breaches = query(
        "select case_id, owner_agent_id, breaches from marts.dim_cases"
        " order by breaches desc, case_id limit 1",
        [],
    )[0]
    return PageCheck(
        role="auditor",
        url_path="casefile",
        filters=readme_example("casefile", {"case": case}),
        title="Case file",
        metrics={"Owner": owner or "none", "Breaches": f"{breaches:,}"},
    )


def health_check(query: Query) -> PageCheck:
    """The README's data-health address (`status=fail&source=erp_invoices`) at the latest run
    (the run as its choice shows it): `quality.check_results` of the run by status, the
    source's `raw.quarantine` rows."""
    run = query(sql_text("health_runs"), [1])[0]
    run_id, started, failed = run[0], run[1], run[9]
    counts = dict(
        query(
            "select status, count(*) from quality.check_results where run_id = ? group by 1",
            [run_id],
        )
    )
    (rejected,) = query(
        "select count(*) from raw.quarantine where source_table = 'erp_invoices'", []
    )[0]
    label = f"{started:%Y-%m-%d %H:%M} UTC · {failed} failed · {run_id[:8]}"
    return PageCheck(
        role="auditor",
        url_path="health",
        filters=readme_example("health", {"run": label}),
        title="Data health",
        metrics={
            "Failed": f"{counts.get('fail', 0):,}",
            "Passed": f"{counts.get('pass', 0):,}",
        },
        texts=(f"{min(rejected, 500)} rejected rows",),
    )


CHECKS = (
    stage_flow_check, recovery_check, claims_check, rolls_check, debtors_check,
    breaches_check, promises_check, channels_check, queue_check,
    ageing_check, dso_check, waterfall_check, cash_check, stuck_check, agents_check,
    casefile_check, health_check,
)  # fmt: skip


def expectations(warehouse: Path) -> list[PageCheck]:
    """Every check's expected figures, read on a read-only connection closed before return."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:

        def query(sql: str, parameters: list) -> list[tuple]:
            return connection.execute(sql, parameters).fetchall()

        return [check(query) for check in CHECKS]


def sign_in(browser, base: str, address: str, user: str, password: str):
    """A fresh browser context (no sign-in cookie) opening `address` (a shared link): the
    sign-in form shows, the user signs in, and the addressed page opens."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/{address}")
    page.get_by_role("textbox", name="Username").fill(user, timeout=harness.TIMEOUT_MS)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Login").click()
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=harness.TIMEOUT_MS)
    harness.settle(page)
    return page


def open_address(page, base: str, address: str) -> None:
    """Open `address` in the signed-in page (a new session, signed in again by its cookie)."""
    page.goto(f"{base}/{address}")
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=harness.TIMEOUT_MS)
    harness.settle(page)


def open_in_menu(page, link: str, title: str) -> None:
    """Open the page `link` of the sidebar menu (its heading `title`): the same session, as a
    user moves between pages (an address opened in the browser starts a new one)."""
    page.locator('[data-testid="stSidebarNavLink"]', has_text=link).click()
    page.wait_for_function(
        "title => document.querySelector('h1')?.innerText.trim() === title",
        arg=title,
        timeout=harness.TIMEOUT_MS,
    )
    harness.settle(page)


def heading(page) -> str:
    return page.locator("h1").first.inner_text().strip()


def shown_metrics(page) -> dict[str, str]:
    shown = {}
    for metric in page.locator(METRIC).all():
        label = metric.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        shown[label] = metric.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return shown


def not_recognised(page) -> list[str]:
    """The warnings that an address value is not recognised (`dashboards.ui.choice`)."""
    warnings = (warning.inner_text() for warning in page.locator(WARNING).all())
    return [text for text in warnings if NOT_RECOGNISED in text]


def shown_choice(page, key: str) -> str | None:
    """The choice the filter bound to address parameter `key` shows (a radio's selected option
    or a select box's text; None: no such filter, or no choice)."""
    widget = page.locator(f".st-key-{key}").first
    if not widget.count():
        return None
    radio = widget.locator('[data-testid="stRadioOption"][data-selected="true"]')
    if radio.count():
        return radio.first.inner_text().strip()
    box = widget.locator('input[role="combobox"]')
    return (box.first.input_value() or None) if box.count() else None


def exported(page, name_start: str) -> pd.DataFrame:
    """The CSV export whose file name starts with `name_start`, as the user downloads it."""
    names = []
    for button in page.locator(DOWNLOAD).all():
        if not button.is_visible():  # in a collapsed expander: not what the page shows first
            continue
        with page.expect_download(timeout=harness.TIMEOUT_MS) as download_info:
            button.click()
        download = download_info.value
        names.append(download.suggested_filename)
        name = download.suggested_filename
        if name.startswith(name_start) and name.endswith(".csv"):  # not its Excel twin
            return pd.read_csv(io.BytesIO(Path(download.path()).read_bytes()))
    raise AssertionError(f"no CSV export named {name_start}*: {names}")


def problems(page, check: PageCheck) -> list[str]:
    """What the page shows that differs from the check (empty: it matches)."""
    found = []
    title = heading(page)
    if title != check.title:
        found.append(f"{check.address}: page {title!r}, not {check.title!r}")
        return found
    found += [f"{check.address}: {error}" for error in harness.errors(page)]
    found += [f"{check.address}: {warning}" for warning in not_recognised(page)]
    for key, value in check.filters.items():
        if key in check.undrawn:
            continue
        if (chosen := shown_choice(page, key)) != value:
            found.append(f"{check.address}: filter {key} shows {chosen!r}, not {value!r}")
    body = page.locator("body").inner_text()
    found += [f"{check.address}: no {text!r} shown" for text in check.texts if text not in body]
    shown = shown_metrics(page)
    for label, value in check.metrics.items():
        if shown.get(label) != value:
            found.append(f"{check.address}: {label} shows {shown.get(label)!r}, SQL {value!r}")
    for name_start, expected in check.exports.items():
        csv = exported(page, name_start)
        columns = list(expected.columns)
        got = _comparable(csv[columns])
        want = _comparable(expected)
        if not got.equals(want):
            found.append(f"{check.address}: export {name_start}* differs:\n{got}\nSQL:\n{want}")
    return found


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted, numbers as floats rounded to 4 places, text as text."""
    frame = frame.copy()
    for column in frame.columns:
        numbers = pd.to_numeric(frame[column], errors="coerce")
        if numbers.notna().sum() == frame[column].notna().sum():
            frame[column] = numbers.astype(float).round(4)
        else:
            frame[column] = frame[column].astype(str)
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def verify(warehouse: Path, users_file: Path, password: str, user_of: dict[str, str]) -> list[str]:
    """`verify_at` on `amicable serve` of `warehouse` with `users_file`, in a chromium of its
    own."""
    checks = expectations(warehouse)
    with harness.serve(warehouse, "--users", str(users_file)) as base, harness.chromium() as b:
        return verify_at(b, base, checks, password, user_of)


def verify_at(
    browser, base: str, checks: list[PageCheck], password: str, user_of: dict[str, str]
) -> list[str]:
    """Sign in as each role of the checks (`user_of`: role -> user name) and open its pages: the
    first by a shared link before sign-in, the others by address once signed in."""
    found: list[str] = []
    for role in dict.fromkeys(check.role for check in checks):
        mine = [check for check in checks if check.role == role]
        page = sign_in(browser, base, mine[0].address, user_of[role], password)
        try:
            found += problems(page, mine[0])
            for check in mine[1:]:
                open_address(page, base, check.address)
                found += problems(page, check)
        finally:
            page.context.close()
    return found


if __name__ == "__main__":
    warehouse_arg, users_arg, password_arg = sys.argv[1:4]
    for check in expectations(Path(warehouse_arg)):
        print(check.role, check.address, check.metrics)
    roles = {role: role for role in ("finance", "supervisor", "auditor")}
    result = verify(Path(warehouse_arg), Path(users_arg), password_arg, roles)
    print("\n".join(result) or "every page shows the marts' figures")
    sys.exit(1 if result else 0)
