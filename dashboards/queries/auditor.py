"""Auditor pages' queries: compliance breaches and the case file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from amicable.case_file import CaseFile, CaseFileError, CaseNotFound, load_case_file
from dashboards.queries.core import ALL, WarehouseNotBuilt, _connect, _frame, _month_range, _values


def breach_months(warehouse: Path | str) -> list[str]:
    """Months ('YYYY-MM') of `marts.fct_compliance_summary`, oldest first."""
    return _values(warehouse, "breach_months", "month")


def breach_summary(warehouse: Path | str, first_month: str, last_month: str) -> pd.DataFrame:
    """`marts.fct_compliance_summary` rows (month 'YYYY-MM', jurisdiction, rule_id, agent_id,
    team, breaches, unverifiable_contacts, outbound_contacts) of a month range, both ends
    included."""
    return _frame(warehouse, "breach_summary", _month_range(first_month, last_month))


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
    """Cases with an auditor's file (`marts.dim_cases`), those with breaches first."""
    return _frame(warehouse, "case_file_cases", ())


def case_file(warehouse: Path | str, case_id: str) -> CaseFile:
    """The auditor's case file of `case_id` (`amicable.case_file`); CaseNotFound when the
    warehouse has no such case."""
    with _connect(warehouse) as connection:
        try:
            return load_case_file(connection, case_id)
        except CaseNotFound:
            raise
        except CaseFileError as error:  # the case-file marts are not built
            raise WarehouseNotBuilt(warehouse, f"case file: {error}") from error
