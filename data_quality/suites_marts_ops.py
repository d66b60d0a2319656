"""Suites on the operations and compliance marts, as `MartSpec`s (see `data_quality.suites_marts`).

Labels that come from the sources without an ingestion check (stages, close reasons) are
warnings: an unknown one changes no figure already computed, but drops out of the pages' fixed
lists. Labels the models write themselves are blocking.
"""

from __future__ import annotations

from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.row_conditions import Column

from data_quality.expectations import (
    E,
    at_least,
    blocking,
    currency,
    in_set,
    not_before,
    not_null,
    positive_amount,
)
from data_quality.suites_marts import MartSpec, _unique, _when, positive, suite_functions
from ingestion.contracts import DIRECTIONS, STAGES

PROMISE_OUTCOMES = ("kept", "partially_kept", "broken", "pending")
STUCK_RULES = ("stage_sla", "no_contact", "broken_promise_no_follow_up")
KEPT_RATE_DIMENSIONS = ("agent", "team", "segment", "strategy", "all")
# int_ops_case_stays: a stage, `reopened` (a reopened case that never had one), `closed`.
STAYS = (*STAGES, "reopened")
STATES = (*STAYS, "closed")
CLOSE_REASONS = ("paid_in_full", "plan_completed", "settled", "written_off", "litigation")
TIMELINE_KINDS = ("case_event", "call", "message")
CASE_FILE_KINDS = (
    "case", *TIMELINE_KINDS, "invoice", "credit_note", "payment_allocation", "bank_entry",
)  # fmt: skip
CASE_FILE_SOURCES = (
    "cases_cases", "cases_case_events", "contacts_calls", "contacts_messages", "erp_invoices",
    "erp_payment_allocations", "bank_entries",
)  # fmt: skip
VERDICTS = ("allowed", "breach", "unverifiable", "not_checked")
UNVERIFIABLE = "-UNKNOWN-TZ$"  # rule id suffix of a contact a quiet-hours rule could not check

_STAGE = "stages are not checked at ingestion (DESIGN.md §3 lists them); an unknown one has no SLA"
_LINEAGE = "the record could not be traced to its landing-zone file; figures stay right"


def _durations(*columns: str) -> list[Expectation]:
    return [at_least(c, 0, "time spent in a stage is never negative") for c in columns]


OPERATIONS_MARTS = (
    MartSpec(
        "fct_promises",
        "Promises to pay and their outcome",
        ("promise_id",),
        "one row per promise",
        more=lambda: [
            not_null("case_id", "a promise belongs to a case"),
            not_null("debtor_id", "payments are matched on the case's debtor"),
            in_set("outcome", PROMISE_OUTCOMES, "kept rates count these outcomes"),
            positive_amount("promised_amount"),
            at_least("paid_amount", 0, "paid amounts are sums of positive allocations"),
            currency(),
            not_before(
                "promised_window_end_date",
                "promised_date",
                "the grace window ends after the promise",
            ),
            not_before(
                "promised_window_end_date",
                "window_end_date",
                "a newer promise can only shorten a window (replaced promises end early)",
            ),
            not_before("follow_up_at", "window_end_date", "a follow-up comes after the window"),
            not_null(
                "agent_id",
                "a promise without an agent falls out of agent kept rates only",
                is_blocking=False,
            ),
        ],
    ),
    MartSpec(
        "fct_stuck_cases",
        "Open cases stuck at as_of, per rule broken",
        ("case_id", "rule"),
        "case x rule broken",
        more=lambda: [
            in_set("rule", STUCK_RULES, "the work queue groups cases by these rules"),
            at_least("threshold_days", 0, "thresholds are day counts"),
            blocking(
                "a case is stuck only once days elapsed exceed the rule's threshold",
                E.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="days_elapsed", column_B="threshold_days", or_equal=False
                ),
            ),
            blocking(
                "stuck_since = reference_date + threshold_days + 1 is after the reference",
                E.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="stuck_since", column_B="reference_date", or_equal=False
                ),
            ),
        ],
    ),
    MartSpec(
        "fct_promise_kept_rates",
        "Kept rates per month the promises fell due and dimension value",
        ("dimension", "dimension_value", "due_month"),
        "dimension value x month the promises fell due",
        counts=("promises_kept", "promises_partially_kept", "promises_broken"),
        rates=("kept_rate_by_count", "kept_rate_by_amount"),
        amounts=("promised_amount_rc", "kept_promised_amount_rc"),
        more=lambda: [
            in_set("dimension", KEPT_RATE_DIMENSIONS, "pages pick a breakdown by these names"),
            at_least("promises_decided", 1, "a row counts decided promises: the rate's divisor"),
            not_before(
                "promised_amount_rc", "kept_promised_amount_rc", "kept promises are decided ones"
            ),
        ],
    ),
    MartSpec(
        "fct_agent_daily",
        "Agent results per agent and UTC day",
        ("agent_id", "activity_date"),
        "agent x UTC day",
        counts=(
            "call_attempts",
            "right_party_contacts",
            "inbound_conversations",
            "promises_made",
            "open_caseload",
        ),
        rates=("rpc_rate",),
        amounts=("promised_amount_rc", "collected_amount_rc"),
        more=lambda: [
            not_before(
                "call_attempts", "right_party_contacts", "RPCs are a part of the call attempts"
            ),
            not_null(
                "team",
                "the agent is not in the agent list: no team figure counts it",
                is_blocking=False,
            ),
        ],
    ),
    MartSpec(
        "fct_case_outcomes",
        "Case outcomes per cohort month and strategy",
        ("cohort_month", "strategy"),
        "cohort month x strategy",
        counts=(
            "cases_opened",
            "cases_open",
            "cases_closed",
            "cases_referred",
            "cases_referred_open",
            "cases_resolved_amicably",
            "cases_settled",
            "cases_written_off",
        ),
        rates=("amicable_resolution_rate", "referral_rate"),
        more=lambda: [
            not_before("cases_closed", "cases_referred", "referred closed cases are closures"),
            not_before("cases_opened", "cases_closed", "closed cases are a part of the cohort"),
            not_before("cases_closed", "cases_resolved_amicably", "amicable closures are closures"),
        ],
    ),
    MartSpec(
        "fct_case_stage_durations",
        "Time spent in each stage, one row per stay",
        ("case_id", "stay_number"),
        "stay of a case in a stage",
        more=lambda: [
            at_least("stay_number", 1, "stays are numbered from 1"),
            in_set("stage", STAYS, _STAGE, is_blocking=False),
            in_set("next_stage", STATES, _STAGE, is_blocking=False),
            in_set("entered_by", ("stage_changed", "reopened"), "only these events start a stay"),
            not_before("left_at", "entered_at", "a stay ends after it starts"),
            *_durations("duration_days"),
        ],
    ),
    MartSpec(
        "fct_stage_transitions",
        "Directly-follows graph of the case flow (the bottleneck view)",
        ("from_stage", "to_stage"),
        "observed move from a stage to the next",
        counts=("transition_count", "case_count"),
        more=lambda: [
            in_set("from_stage", STATES, _STAGE, is_blocking=False),
            in_set("to_stage", STATES, _STAGE, is_blocking=False),
            not_before("transition_count", "case_count", "a case making a move makes it once"),
            *_durations("median_duration_days", "p90_duration_days", "mean_duration_days"),
            not_before(
                "p90_duration_days", "median_duration_days", "the 90th percentile is ≥ the median"
            ),
        ],
    ),
    MartSpec(
        "fct_case_timeline",
        "Every source record of a case in time order",
        ("record_kind", "record_id"),
        "source record of a case",
        more=lambda: [
            in_set("record_kind", TIMELINE_KINDS, "the timeline merges these three sources"),
            not_null("case_id", "a record on no case cannot be shown in a case's story"),
            not_null("occurred_at", "the timeline is in time order"),
            in_set("direction", DIRECTIONS, "inbound and outbound contacts read apart"),
            not_null("source_file", _LINEAGE, is_blocking=False),
        ],
    ),
    MartSpec(
        "fct_litigation_referrals",
        "Referrals to litigation with the case history before them",
        ("referral_id",),
        "one row per referral",
        counts=(
            "contacts_before",
            "call_attempts_before",
            "right_party_contacts_before",
            "promises_made_before",
            "promises_broken_before",
            "disputes_opened_before",
        ),
        more=lambda: [
            not_null("case_id", "a referral belongs to a case"),
            not_null("referred_at", "time to referral and cohorts are dated by it"),
            not_before(
                "referred_at", "opened_at", "time to referral counts from the case's opening"
            ),
            positive("referred_amount", "a referral adds its amount to the amount referred"),
            not_before(
                "promises_made_before", "promises_broken_before", "broken promises were made"
            ),
        ],
    ),
)

COMPLIANCE_MARTS = (
    MartSpec(
        "fct_compliance_breaches",
        "Compliance breaches with their evidence",
        ("breach_id",),
        "one row per breach",
        more=lambda: [
            not_null("rule_id", "a breach names the rule it breaks"),
            not_null("case_id", "a breach belongs to a case file"),
            not_null("occurred_at", "breaches are counted per month"),
            not_null("evidence_ids", "an auditor needs the records proving the breach"),
            _when(
                ("is_unverifiable", True),
                "an unverifiable contact is listed under `<rule>-UNKNOWN-TZ`",
                E.ExpectColumnValuesToMatchRegex(column="rule_id", regex=UNVERIFIABLE),
            ),
            _when(
                ("is_unverifiable", False),
                "a breach keeps its pack's rule id: it is counted under it",
                E.ExpectColumnValuesToNotMatchRegex(column="rule_id", regex=UNVERIFIABLE),
            ),
        ],
    ),
    MartSpec(
        "fct_compliance_summary",
        "Breaches per month, jurisdiction, rule and agent against outbound contacts",
        ("month", "jurisdiction", "rule_id", "agent_id"),
        "month x jurisdiction x rule x agent",
        counts=("breaches", "unverifiable_contacts", "outbound_contacts"),
        more=lambda: [
            at_least("breaches_per_1000_contacts", 0, "a breach rate is never negative"),
            blocking(
                "unverifiable contacts count under their base rule",
                E.ExpectColumnValuesToNotMatchRegex(column="rule_id", regex=UNVERIFIABLE),
            ),
        ],
    ),
    MartSpec(
        "dim_cases",
        "One row per case: the header of the auditor's case file",
        ("case_id",),
        "one row per case",
        counts=("breaches", "unverifiable_contacts"),
        more=lambda: [
            not_null("ledger_window_start_date", "the case file's ledger starts at the opening"),
            not_before("closed_at", "opened_at", "a case closes after it opens"),
            not_before(
                "ledger_window_end_date",
                "ledger_window_start_date",
                "the debtor's next case opens after this one",
            ),
            not_before(
                "documents_issued_to_date",
                "ledger_window_start_date",
                "the file's invoices are issued up to a date after the opening",
            ),
            _when(
                ("is_open", True),
                "an open case has no closing",
                E.ExpectColumnValuesToBeNull(column="closed_at"),
            ),
            _when(
                ("is_open", False),
                "a closed case has its closing",
                E.ExpectColumnValuesToNotBeNull(column="closed_at"),
            ),
            in_set(
                "close_reason",
                CLOSE_REASONS,
                "close reasons are not checked at ingestion (DESIGN.md §3 lists them); an "
                "unknown one counts as neither amicable, settled nor written off",
                is_blocking=False,
            ),
            in_set("current_stage", STAYS, _STAGE, is_blocking=False),
        ],
    ),
    MartSpec(
        "fct_case_file",
        "The auditor's case file: every source record of a case with its verdict",
        ("case_id", "source_table", "source_id"),
        "case x source record",
        more=lambda: [
            not_null("record_seq", "records of a file are numbered"),
            _unique(["case_id", "record_seq"], "each record of a file has its own position"),
            at_least("record_seq", 1, "records are numbered from 1"),
            not_null("occurred_at", "the file is in time order"),
            in_set("record_kind", CASE_FILE_KINDS, "the file and its reconciliation read these"),
            in_set("source_table", CASE_FILE_SOURCES, "records are traced to these raw tables"),
            in_set("verdict", VERDICTS, "the auditor reads a record's verdict"),
            blocking(
                "every call and message of a case file carries its verdict",
                E.ExpectColumnValuesToNotBeNull(
                    column="verdict", row_condition=Column("record_kind").is_in(["call", "message"])
                ),
            ),
            positive_amount("amount"),
            not_null("source_file", _LINEAGE, is_blocking=False),
        ],
    ),
)

OPS_MART_SUITES = suite_functions((*OPERATIONS_MARTS, *COMPLIANCE_MARTS))
