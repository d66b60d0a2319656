"""Building blocks shared by the pages: a month-range filter, tables that export to CSV and
drill on a row, the case timeline (every event, call and message of one case, with the
source file and row it was loaded from) and a debtor's statement of account."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from amicable.case_file import CaseFile, export_case_file
from amicable.statements import Statement, file_stem, to_csv, to_pdf
from dashboards import queries, ui
from dashboards.access import BUSINESS_SEGMENT, MASK
from dashboards.excel import to_xlsx

FIRST_MONTH_KEY = "from"
LAST_MONTH_KEY = "to"
CASE_KEY = "case"
TIMELINE_KEY = "case_timeline"


def choices(frame: pd.DataFrame, column: str) -> list[str]:
    """Filter options of `column`: 'all', then its distinct values (nulls left out), sorted."""
    return [queries.ALL, *sorted(frame[column].dropna().unique())]


def only(frame: pd.DataFrame, column: str, value: str) -> pd.DataFrame:
    """The rows whose `column` is `value`; every row for 'all'."""
    return frame if value == queries.ALL else frame[frame[column] == value]


def narrow(
    frame: pd.DataFrame,
    selects: Sequence[tuple[str, str, str, Any]],
    chosen: Sequence[tuple[str, str]] = (),
) -> tuple[pd.DataFrame, str]:
    """A case queue narrowed by a select box per (column, label, widget key, container) of
    `selects`, each offering `choices` of the whole queue, and by the (column, value) pairs
    already `chosen` elsewhere; and a file-name tag of every value."""
    picks = [
        (column, ui.choice(where.selectbox, label, choices(frame, column), key=key))
        for column, label, key, where in selects
    ]
    picks += chosen
    for column, value in picks:
        frame = only(frame, column, value)
    return frame, "_".join(value for _, value in picks)


def owner(agents: Sequence[str], *, key: str) -> str:
    """The 'Owner' choice of a case queue: 'all' or one of `agents`; an agent sees their own
    queue only, whatever the URL says."""
    viewer = ui.viewer()
    owners = [viewer.agent_id] if viewer.is_agent else [queries.ALL, *agents]
    return ui.choice(st.selectbox, "Owner", owners, key=key)


def month_range(months: Sequence[str], help: str | None = None) -> tuple[str, str]:
    """Two month choices ('YYYY-MM', URL parameters `from` and `to`), by default the first and
    the last of `months`; the range may come out empty (from after to): say so to the user."""
    first_col, last_col = st.columns(2)
    first = ui.choice(
        first_col.selectbox, "From month", months, index=0, key=FIRST_MONTH_KEY, help=help
    )
    last = ui.choice(
        last_col.selectbox, "To month", months, index=len(months) - 1, key=LAST_MONTH_KEY
    )
    return first, last


def csv_button(data: pd.DataFrame | Callable[[], pd.DataFrame], file_name: str, key: str) -> None:
    """A CSV download of a frame, or of the frame `data()` returns when the button is clicked
    (every row of a table that shows only some: see `ui.deferred`); the file name says the
    display currency when amounts were converted (`breaches.csv` → `breaches_in_USD.csv`)."""
    currency = ui.display_currency()
    if currency is not None:
        file_name = currency.file_name(file_name)
    st.download_button(
        "Download CSV",
        data=ui.to_csv(data) if isinstance(data, pd.DataFrame) else _csv_of(data),
        file_name=file_name,
        mime="text/csv",
        on_click="ignore",
        key=key,
        icon=":material/download:",
    )


def _csv_of(rows: Callable[[], pd.DataFrame]) -> Callable[[], str]:
    def build() -> str:
        return ui.to_csv(rows())

    return build


def excel_button(data: pd.DataFrame | Callable[[], pd.DataFrame], file_name: str, key: str) -> None:
    """An Excel download of the same rows as the CSV button beside it (`dashboards.excel`:
    sheet `data`, and `about` naming the page, its filters and the currency), made only when
    the button is clicked; named like the CSV (`breaches.csv` → `breaches.xlsx`)."""
    currency = ui.display_currency()
    if currency is not None:
        file_name = currency.file_name(file_name)
    stem = file_name.removesuffix(".csv")
    about = ui.export_about()  # read now: a deferred download runs outside the page run

    def build() -> bytes:
        return to_xlsx(data if isinstance(data, pd.DataFrame) else data(), about)

    st.download_button(
        "Download Excel",
        data=build,
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        key=key,
        icon=":material/table_view:",
    )


def table(
    frame: pd.DataFrame,
    *,
    key: str,
    file_name: str,
    column_config: dict[str, Any] | None = None,
    on_select: Callable[[], None] | None = None,
    display_limit: int | None = None,
    every_row: Callable[[], pd.DataFrame] | None = None,
    code_labels: dict[str, dict[str, str]] | None = None,
) -> None:
    """A table (the columns of `column_config`, in its order, when given; at most
    `display_limit` rows shown) with its CSV and Excel exports of every row: `frame`'s, or
    when `frame` holds only the rows shown, those of `every_row()`, read when a button is clicked
    (`ui.deferred`). With `on_select`, a click on a row calls it (see `drill_to`). The codes of
    `CODE_COLUMNS` read in words (`code_labels[column]` where a page names them)."""
    shown = frame if display_limit is None else frame.head(display_limit)
    st.dataframe(
        blank_missing_text(shown),
        hide_index=True,
        column_order=list(column_config) if column_config else None,
        column_config=with_codes_in_words(
            column_config or default_columns(shown), shown, code_labels or {}
        ),
        key=key,
        on_select=on_select or "ignore",
        selection_mode="single-row",
    )
    rows = frame if every_row is None else every_row
    csv_button(rows, file_name, key=f"{key}_csv")
    excel_button(rows, file_name, key=f"{key}_xlsx")


# Words for the parts of column names that are abbreviations (`default_columns`).
ABBREVIATIONS = {
    "id": "ID", "ids": "IDs", "rc": "(reporting currency)", "pct": "%", "fx": "FX",
    "dso": "DSO", "cei": "CEI", "rpc": "RPC", "sla": "SLA", "sha256": "SHA-256", "utc": "(UTC)",
}  # fmt: skip


def column_words(column: str) -> str:
    """A column name in words, for a table heading: `promises_kept_pct` → `Promises kept %`."""
    text = " ".join(ABBREVIATIONS.get(part, part) for part in column.split("_") if part)
    return text[:1].upper() + text[1:]


def default_columns(frame: pd.DataFrame) -> dict[str, Any]:
    """Headings in words and numbers with thousands separators (whole numbers as such, others
    with two decimals), for a table whose page gives no column configuration."""
    config: dict[str, Any] = {}
    for column in frame.columns:
        label = column_words(str(column))
        dtype = frame[column].dtype
        if pd.api.types.is_bool_dtype(dtype):
            config[column] = st.column_config.CheckboxColumn(label)
        elif pd.api.types.is_integer_dtype(dtype):
            config[column] = st.column_config.NumberColumn(label, format="%,d")
        elif pd.api.types.is_float_dtype(dtype):
            config[column] = st.column_config.NumberColumn(label, format="%,.2f")
        else:
            config[column] = st.column_config.Column(label)
    return config


# Columns whose values are codes (`formal_demand`, `no_answer`): shown in words in tables
# (`Formal demand`), while the data, the drill-downs and the CSV keep the codes.
CODE_COLUMNS = frozenset(
    {"stage", "from_stage", "to_stage", "rule", "outcome", "direction", "strategy",
     "event_type", "channel", "status", "document_type", "state"}
)  # fmt: skip
_CODE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def code_words(code: str, labels: dict[str, str] | None = None) -> str:
    """A code in words: its label in `labels`, else `no_answer` → `No answer` (a value that is
    not a lower-case code, such as a rule ID `US-7IN7`, is shown as it is)."""
    if labels and code in labels:
        return labels[code]
    return column_words(code) if _CODE.fullmatch(code) else code


def with_codes_in_words(
    config: dict[str, Any], frame: pd.DataFrame, labels: dict[str, dict[str, str]]
) -> dict[str, Any]:
    """`config` with each text column of `CODE_COLUMNS` (or of `labels`) in `frame` shown in
    words: a read-only select column whose options are the codes, labelled (Streamlit shows the
    label, the cell keeps the code)."""
    shown = dict(config)
    for column in CODE_COLUMNS.union(labels).intersection(frame.columns):
        current = shown.get(column)
        if current is not None and current.get("type_config", {"type": "text"})["type"] != "text":
            continue  # a page gave it another type on purpose
        codes = sorted({value for value in frame[column] if isinstance(value, str)})
        own = labels.get(column)
        shown[column] = st.column_config.SelectboxColumn(
            (current or {}).get("label") or column_words(column),
            options=codes,
            format_func=lambda code, own=own: code_words(code, own),
        )
    return shown


def blank_missing_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as shown: a missing value of a text column blank rather than "None" (the CSV
    keeps the frame as it is)."""
    text = [
        column
        for column in frame.columns
        if pd.api.types.is_string_dtype(frame[column].dtype)
        and frame[column].isna().any()
        and frame[column].dropna().map(type).eq(str).all()
    ]
    return frame.fillna(dict.fromkeys(text, "")) if text else frame


def drill_to(
    table_key: str, target_key: str, values: Sequence[Any], cleared: Any = None
) -> Callable[[], None]:
    """Row-selection callback for `table`: the selected row's entry of `values` becomes the value
    of the widget `target_key` (bound to the URL, so the drill-down can be shared); clearing
    the selection sets it to `cleared` (a filter's 'all', or no choice)."""

    def chosen() -> None:
        state = st.session_state.get(table_key)
        selection = state.get("selection") if state else None
        rows = (selection or {}).get("rows") or []
        st.session_state[target_key] = values[rows[0]] if rows else cleared

    return chosen


def case_table(
    warehouse: str,
    version: int,
    frame: pd.DataFrame,
    *,
    key: str,
    file_name: str,
    column_config: dict[str, Any] | None = None,
    code_labels: dict[str, dict[str, str]] | None = None,
) -> None:
    """A table of rows with a `case_id` (CSV export); a click on a row, or the 'Open a case'
    choice below it, opens that case's timeline."""
    cases = list(frame["case_id"])
    table(
        frame,
        key=key,
        file_name=file_name,
        column_config=column_config,
        code_labels=code_labels,
        on_select=drill_to(key, CASE_KEY, cases),
    )
    case_drill(warehouse, version, cases)


def debtor_cases(warehouse: str, version: int, debtor: str, *, key: str) -> None:
    """The collection cases of `debtor` (a click opens one's timeline), or why there are none."""
    st.subheader(f"Cases of debtor {debtor}")
    cases = ui.query(queries.debtor_cases, warehouse, version, debtor)
    if cases.empty:
        st.info(f"Debtor {debtor} has no collection case: none of their debts was placed.")
        return
    case_table(warehouse, version, cases, key=key, file_name=f"debtor_{debtor}_cases.csv")


def statement_downloads(warehouse: str, version: int, debtor: str, *, key: str) -> None:
    """The statement of account of `debtor` at the build's as-of date over its month
    (`amicable.statements`, as `amicable statements` writes it): its balance per currency and
    PDF and CSV downloads, rendered when clicked. A consumer's name is masked for a viewer who
    may not see personal data."""
    st.subheader(f"Statement of account of debtor {debtor}")
    try:
        statement = ui.query(queries.debtor_statement, warehouse, version, debtor)
    except LookupError as error:
        st.info(str(error))
        return
    if not ui.viewer().sees_personal_data and statement.segment != BUSINESS_SEGMENT:
        statement = replace(statement, debtor_name=MASK)
    balances = "; ".join(
        f"{ui.format_amount(statement.closing_balance(c), c)}" for c in statement.currencies
    )
    st.caption(
        f"From {statement.from_date} to the statement date {statement.as_of}: every item open "
        "or settled in the period, the running balance with the payments and credit notes "
        "applied, and the ageing at the statement date, in the invoice currency. Balance: "
        f"{balances or 'nothing open, nothing moved'}. For other periods, a list or a "
        "segment: `amicable statements`."
    )
    stem = file_stem(debtor, statement.as_of)
    columns = st.columns(2)
    for column, fmt, mime in zip(
        columns, ("pdf", "csv"), ("application/pdf", "text/csv"), strict=True
    ):
        column.download_button(
            f"Statement {fmt.upper()}",
            data=_statement_file(statement, fmt),
            file_name=f"{stem}.{fmt}",
            mime=mime,
            on_click="ignore",
            key=f"{key}_{fmt}",
            icon=":material/download:",
        )


def _statement_file(statement: Statement, fmt: str) -> Callable[[], bytes]:
    def build() -> bytes:
        return to_pdf(statement) if fmt == "pdf" else to_csv(statement)

    return build


def case_drill(warehouse: str, version: int, case_ids: Sequence[str]) -> None:
    """'Open a case' among `case_ids` (URL parameter `case`), then its timeline."""
    case_id = ui.choice(
        st.selectbox,
        "Open a case",
        sorted(set(case_ids)),
        index=None,
        placeholder="Choose a case, or click its row, to read its timeline",
        key=CASE_KEY,
    )
    if case_id is not None:
        case_timeline(warehouse, version, case_id)


def case_timeline(warehouse: str, version: int, case_id: str) -> None:
    """Every source record of one case, oldest first, with its CSV export."""
    st.subheader(f"Case {case_id}: timeline")
    timeline = ui.query(queries.case_timeline, warehouse, version, case_id)
    if timeline.empty:
        st.info(f"No record of case {case_id} in the warehouse.")
        return
    st.caption(
        f"{len(timeline)} records from the sources, oldest first; each names the file and "
        "row it was loaded from."
    )
    table(timeline, key=TIMELINE_KEY, file_name=f"case_{case_id}_timeline.csv")


def case_file_export(case_file: CaseFile, fmt: str, user: str) -> Callable[[], bytes]:
    """For a download button: the bytes of a case-file export (pdf or csv), rendered and logged
    with who, when and its sha256 (`amicable.case_file`) only when the button is clicked."""

    def build() -> bytes:
        return export_case_file(case_file, fmt, user).data

    return build
