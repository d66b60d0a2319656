"""Suites on the raw tables other than invoices and bank entries (see `data_quality.suites`).

Keys not null, allowed values from the contracts, amount signs and date order, plus a warning
on versions of a key that only their row order separates (`expectations.raw_unique`). Row checks
run on every raw row: a bad row that reached `raw` is an ingestion defect.
"""

from __future__ import annotations

from collections.abc import Callable

import great_expectations as gx

from data_quality.expectations import (
    E,
    at_least,
    blocking,
    country,
    currency,
    in_set,
    not_before,
    not_empty,
    not_null,
    positive_amount,
    raw_suite,
    raw_unique,
    warning,
)
from ingestion.contracts import (
    CALL_OUTCOMES,
    DIRECTIONS,
    EVENT_TYPES,
    MESSAGE_CHANNELS,
    MESSAGE_OUTCOMES,
)

_KEY = "a row without its key cannot be deduplicated or joined"
_CASE = "the contact falls out of every case and agent figure"
_DEBTOR = "the record falls out of every debtor and segment figure"


def erp_customers_suite() -> gx.ExpectationSuite:
    """Debtors (raw.erp_customers)."""
    return raw_suite(
        "erp_customers",
        [
            not_empty("customers"),
            not_null("debtor_id", _KEY),
            not_null("name", "display only", is_blocking=False),
            in_set("segment", ("B2B", "B2C"), "every figure is split by segment"),
            country("country"),
            not_null("timezone", "contact-hour rules need it", is_blocking=False),
            currency(is_blocking=False),
            warning(
                "a credit limit is positive when set; it changes no figure",
                E.ExpectColumnValuesToBeBetween(
                    column="credit_limit", min_value=0, strict_min=True
                ),
            ),
            not_null("updated_at", "staging orders corrections by updated_at"),
            raw_unique("erp_customers"),
        ],
    )


def erp_payment_allocations_suite() -> gx.ExpectationSuite:
    """Allocations of bank payments to invoices (raw.erp_payment_allocations)."""
    return raw_suite(
        "erp_payment_allocations",
        [
            not_empty("allocations"),
            not_null("allocation_id", _KEY),
            not_null("payment_ref", "the payment date comes from the bank entry it names"),
            not_null("invoice_id", "an allocation to no invoice reduces no open amount"),
            not_null("amount", "open amounts would be overstated"),
            positive_amount(),
            not_null("allocated_at", "staging orders corrections by allocated_at"),
            raw_unique("erp_payment_allocations"),
        ],
    )


def cases_cases_suite() -> gx.ExpectationSuite:
    """Collection cases (raw.cases_cases)."""
    return raw_suite(
        "cases_cases",
        [
            not_empty("cases"),
            not_null("case_id", _KEY),
            not_null("debtor_id", _DEBTOR),
            not_null("opened_at", "case ages and cohorts start at the opening"),
            not_null("placed_amount", "recovery rates divide by the placed amount"),
            positive_amount("placed_amount"),
            currency(),
            not_null("strategy", "no-contact thresholds are per strategy"),
            not_null("agent_id", "the case falls out of agent figures", is_blocking=False),
            country("jurisdiction"),
            not_null("updated_at", "staging orders corrections by updated_at"),
            not_before(
                "updated_at",
                "opened_at",
                "a case updated before it was opened hints at a clock or export problem",
                is_blocking=False,
            ),
            raw_unique("cases_cases"),
        ],
    )


def cases_case_events_suite() -> gx.ExpectationSuite:
    """Case events (raw.cases_case_events)."""
    return raw_suite(
        "cases_case_events",
        [
            not_empty("case events"),
            not_null("event_id", _KEY),
            not_null("case_id", "an event on no case changes no stage, promise or outcome"),
            not_null("occurred_at", "stage durations and promise windows are dated by it"),
            in_set("event_type", EVENT_TYPES, "the type decides what the event changes"),
            not_null("actor_id", "agent figures only", is_blocking=False),
            not_null("payload", "stages, promises and disputes are read from the payload"),
            raw_unique("cases_case_events"),
        ],
    )


def cases_agents_suite() -> gx.ExpectationSuite:
    """Collection agents (raw.cases_agents)."""
    return raw_suite(
        "cases_agents",
        [
            not_empty("agents"),
            not_null("agent_id", _KEY),
            not_null("name", "display only", is_blocking=False),
            not_null("team", "team figures would lose the agent"),
            not_null("active_from", "activity periods start there"),
            not_before(
                "active_to",
                "active_from",
                "an agent who left before starting has no activity period",
            ),
            raw_unique("cases_agents"),
        ],
    )


def contacts_calls_suite() -> gx.ExpectationSuite:
    """Dialer call log (raw.contacts_calls)."""
    return raw_suite(
        "contacts_calls",
        [
            not_empty("calls"),
            not_null("contact_id", _KEY),
            not_null("case_id", _CASE),
            not_null("debtor_id", _DEBTOR),
            not_null("agent_id", "agent figures count calls per agent"),
            in_set("direction", DIRECTIONS, "call attempts are outbound calls"),
            not_null("started_at", "contacts are dated by it"),
            at_least("duration_s", 0, "a negative duration makes talk time wrong"),
            in_set("outcome", CALL_OUTCOMES, "right-party contacts are decided by the outcome"),
            raw_unique("contacts_calls"),
        ],
    )


def contacts_messages_suite() -> gx.ExpectationSuite:
    """E-mail, SMS, letter and portal messages (raw.contacts_messages)."""
    return raw_suite(
        "contacts_messages",
        [
            not_empty("messages"),
            not_null("contact_id", _KEY),
            not_null("case_id", _CASE),
            not_null("debtor_id", _DEBTOR),
            in_set("channel", MESSAGE_CHANNELS, "contact figures are split by channel"),
            in_set("direction", DIRECTIONS, "inbound and outbound contacts count apart"),
            not_null("sent_at", "contacts are dated by it"),
            in_set("outcome", MESSAGE_OUTCOMES, "bounce and delivery rates read it"),
            raw_unique("contacts_messages"),
        ],
    )


def fx_rates_suite() -> gx.ExpectationSuite:
    """Daily exchange rates to the reporting currency (raw.fx_rates)."""
    return raw_suite(
        "fx_rates",
        [
            not_empty("exchange rates"),
            not_null("rate_date", "a rate must say the day it holds for"),
            not_null("currency", "a rate must say its currency"),
            currency(),
            not_null("rate_to_reporting", "reporting-currency amounts would be missing"),
            blocking(
                "a rate is strictly positive: zero or negative rates flip or erase amounts",
                E.ExpectColumnValuesToBeBetween(
                    column="rate_to_reporting", min_value=0, strict_min=True
                ),
            ),
            raw_unique("fx_rates"),
        ],
    )


RAW_SUITES: dict[str, Callable[[], gx.ExpectationSuite]] = {
    f"raw.{fn.__name__.removesuffix('_suite')}": fn
    for fn in (
        erp_customers_suite,
        erp_payment_allocations_suite,
        cases_cases_suite,
        cases_case_events_suite,
        cases_agents_suite,
        contacts_calls_suite,
        contacts_messages_suite,
        fx_rates_suite,
    )
}
