"""Statements of account: per debtor, every item open or settled in a period, the running
balance with the payments and credit notes applied, and the ageing at the statement date, as
PDF and CSV; one debtor, a list, or every debtor of a segment.

    with duckdb.connect(str(warehouse), read_only=True) as con:
        statement = load_statement(con, "D000123", as_of=date(2026, 11, 30))
    statement.closing_balance("EUR")      # the running balance at the statement date
    write_statement(statement, Path("out"))   # out/statement_D000123_2026-11-30.{pdf,csv}

The lines, items and debtors are SQL in `dashboards/sql/statement_*.sql` over
`marts.fct_ar_balance_periods` (the one home of the open-amount rule), shared by the command
line (`amicable statements`) and the dashboard (Top debtors page).
"""

from amicable.statements.load import (
    AGEING_COLUMNS,
    ITEM_COLUMNS,
    LINE_COLUMNS,
    DebtorNotFound,
    Provenance,
    Statement,
    StatementBuildChanged,
    StatementError,
    default_from_date,
    load_statement,
    load_statements,
    statement_debtors,
    unknown_debtors,
)
from amicable.statements.render import (
    Written,
    file_stem,
    to_csv,
    to_pdf,
    write_statement,
)

__all__ = [
    "AGEING_COLUMNS",
    "ITEM_COLUMNS",
    "LINE_COLUMNS",
    "DebtorNotFound",
    "StatementBuildChanged",
    "Provenance",
    "Statement",
    "StatementError",
    "Written",
    "default_from_date",
    "file_stem",
    "load_statement",
    "load_statements",
    "statement_debtors",
    "to_csv",
    "to_pdf",
    "unknown_debtors",
    "write_statement",
]
