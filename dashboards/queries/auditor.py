"""Auditor pages' queries: compliance breaches and the case file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from amicable.case_file import CaseFile, CaseFileError, CaseNotFound, load_case_file
from amicable.case_file.load import CaseFileBuildChanged
from dashboards.queries.core import (
    ALL,
    WarehouseBusy,
    WarehouseNotBuilt,
    _frame,
    _month_range,
    _optional_float,
    _period,
    _values,
    connect_read_only,
)

_RATE_COLUMNS = ["breaches", "unverifiable_contacts", "outbound_contacts"]
MIN_CONTACTS_FOR_RATE = 30
"""Breaches per 1,000 contacts are published from this many outbound contacts up: below it one
breach more or less swings the rate by tens, so `breaches_per_1000_contacts` is null (the one
home of the rule; `dashboards/sql/breach_rates.sql` applies it)."""


@dataclass(frozen=True)
class BreachKpis:
    """Breaches of a rule (or every rule) over the contacts it governs, for one agent and one
    jurisdiction (or all) over a month range."""

    breaches: int
    outbound_contacts: int
    unverifiable_contacts: int
    breaches_per_1000_contacts: float | None  # None below MIN_CONTACTS_FOR_RATE contacts


def breach_months(warehouse: Path | str) -> list[str]:
    """Months ('YYYY-MM') of `marts.fct_compliance_summary`, oldest first."""
    return _values(warehouse, "breach_months", "month")


def breach_summary(warehouse: Path | str, first_month: str, last_month: str) -> pd.DataFrame:
    """`marts.fct_compliance_summary` rows (month 'YYYY-MM', jurisdiction, rule_id, agent_id,
    team, breaches, unverifiable_contacts, outbound_contacts) of a month range, both ends
    included."""
    return _frame(warehouse, "breach_summary", _month_range(first_month, last_month))


def breach_kpis(
    warehouse: Path | str,
    first_month: str,
    last_month: str,
    rule_id: str,
    agent_id: str,
    jurisdiction: str,
) -> BreachKpis:
    """The breaches page's KPI row: the published breaches and outbound contacts summed, and
    their rate per 1,000 contacts from MIN_CONTACTS_FOR_RATE contacts up
    (`marts.fct_compliance_summary` for one rule, `marts.fct_compliance_agent_months` for
    every rule)."""
    row = _breach_rates(
        warehouse, first_month, last_month, rule_id, agent_id, jurisdiction, "total"
    )
    first = row.iloc[0]
    return BreachKpis(
        breaches=int(first["breaches"]),
        outbound_contacts=int(first["outbound_contacts"]),
        unverifiable_contacts=int(first["unverifiable_contacts"]),
        breaches_per_1000_contacts=_optional_float(first["breaches_per_1000_contacts"]),
    )


def breaches_by_rule(
    warehouse: Path | str, first_month: str, last_month: str, agent_id: str, jurisdiction: str
) -> pd.DataFrame:
    """Per rule (rule_id, breaches, unverifiable_contacts, outbound_contacts it governs,
    breaches_per_1000_contacts) for one agent and jurisdiction ('all': every one) over a month
    range, most breaches first."""
    rows = _breach_rates(warehouse, first_month, last_month, ALL, agent_id, jurisdiction, "rule")
    return rows[["rule_id", *_RATE_COLUMNS, "breaches_per_1000_contacts"]]


def breaches_by_agent(
    warehouse: Path | str, first_month: str, last_month: str, rule_id: str, jurisdiction: str
) -> pd.DataFrame:
    """Per agent and team (agent_id, team, breaches, outbound_contacts,
    breaches_per_1000_contacts) for one rule and jurisdiction ('all': every one) over a month
    range, most breaches first."""
    rows = _breach_rates(warehouse, first_month, last_month, rule_id, ALL, jurisdiction, "agent")
    return rows[["agent_id", "team", "breaches", "outbound_contacts", "breaches_per_1000_contacts"]]


def _breach_rates(
    warehouse: Path | str,
    first_month: str,
    last_month: str,
    rule_id: str,
    agent_id: str,
    jurisdiction: str,
    grain: str,
) -> pd.DataFrame:
    parameters = (
        *_period(first_month, last_month),
        rule_id,
        agent_id,
        jurisdiction,
        MIN_CONTACTS_FOR_RATE,
    )
    frame = _frame(warehouse, "breach_rates", parameters)
    return frame[frame["grain"] == grain].reset_index(drop=True)


def breach_rows(
    warehouse: Path | str,
    first_month: str,
    last_month: str,
    rule_id: str,
    agent_id: str,
    jurisdiction: str = ALL,
) -> pd.DataFrame:
    """Breaches of a month range, one rule, one agent and one jurisdiction ('all': every one),
    newest first."""
    first, last = _month_range(first_month, last_month)
    parameters = (first, last, rule_id, rule_id, agent_id, agent_id, jurisdiction, jurisdiction)
    return _frame(warehouse, "breach_rows", parameters)


def case_file_cases(warehouse: Path | str) -> pd.DataFrame:
    """The ids (column case_id) of the cases with an auditor's file (`marts.dim_cases`),
    those with breaches first."""
    return _frame(warehouse, "case_file_cases", ())


def case_file(warehouse: Path | str, case_id: str) -> CaseFile:
    """The auditor's case file of `case_id` (`amicable.case_file`); CaseNotFound when the
    warehouse has no such case."""
    with connect_read_only(warehouse) as connection:
        try:
            return load_case_file(connection, case_id)
        except CaseNotFound:
            raise
        except CaseFileBuildChanged as error:  # builds published while it was read
            raise WarehouseBusy(warehouse, f"case file: {error}") from error
        except CaseFileError as error:  # the case-file marts are not built
            raise WarehouseNotBuilt(warehouse, f"case file: {error}") from error
