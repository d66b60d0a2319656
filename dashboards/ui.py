"""Page-layer helpers shared by the dashboard pages (Streamlit side of the query layer)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st

from amicable.warehouse_ref import PostgresWarehouse, location
from dashboards import queries
from dashboards.access import Viewer, restrict
from dashboards.money import DisplayCurrency, translate
from dashboards.queries import (
    WarehouseBusy,
    WarehouseNotBuilt,
    WarehouseUnavailable,
    warehouse_from_env,
)
from dashboards.signin import current_viewer
from orchestration.publish import rejected_path

CACHE_TTL_SECONDS = 60
CURRENCY_KEY = "currency"  # the display-currency choice, bound to the URL (`?currency=USD`)
_DISPLAY_STATE = "amicable_display_currency"  # this run's DisplayCurrency (None: as built)
_PAGE_STATE = "amicable_page"  # the title of the page the session's last run drew
_FILTERS_STATE = "amicable_filter_keys"  # keys of every filter `choice` drew in this session

# Columns of a table of open items (`marts.fct_ar_ageing` rows), shared by the ageing pages.
AGEING_ITEM_COLUMNS = {
    "invoice_number": st.column_config.TextColumn("Invoice"),
    "debtor_name": st.column_config.TextColumn("Debtor"),
    "due_date": st.column_config.DateColumn("Due date", format="YYYY-MM-DD"),
    "days_past_due": st.column_config.NumberColumn("Days past due", format="%,d"),
    "open_amount": st.column_config.NumberColumn("Open amount", format="%,.2f"),
    "currency": st.column_config.TextColumn("Currency"),
}


def ageing_item_columns() -> dict[str, Any]:
    """Columns of a table of open items, the converted amount labelled with its currency."""
    converted = st.column_config.NumberColumn(amount_label("Open"), format="%,.2f")
    return {**AGEING_ITEM_COLUMNS, "open_amount_rc": converted}


def warehouse() -> tuple[str, int]:
    """The warehouse (from `AMICABLE_WAREHOUSE`, read on every run: a DuckDB file's path or a
    PostgreSQL URL) and its version.

    The version (file modification time, 0 when absent) goes into every cached query's
    arguments, so a finished build is shown at once rather than after the cache TTL. A
    PostgreSQL warehouse has none (0): a build there shows within the cache TTL.
    """
    path = warehouse_from_env()
    if isinstance(path, PostgresWarehouse):
        return location(path), 0
    try:
        version = path.stat().st_mtime_ns
    except OSError:
        version = 0
    return str(path), version


def page(
    title: str,
    caption: str,
    body: Callable[[str, int], None],
    *,
    section: str,
    amounts: bool = False,
) -> None:
    """Draw a page of `section`: title, caption, then `body(warehouse, version)`.

    Only a viewer whose role opens `section` gets past the title; a warehouse that cannot be
    read (absent, being built, unreadable) becomes an explanation instead of a traceback.
    A page showing reporting-currency amounts (`amounts`) gets the display-currency choice in
    the sidebar; `query` then returns every `*_rc` amount in that currency (`dashboards.money`).
    """
    st.session_state[_DISPLAY_STATE] = None
    _forget_other_pages_filters(title)
    st.title(title)
    viewer = current_viewer()
    if viewer is None:
        st.warning("Sign in through the app's start page to see this page.", icon=":material/lock:")
        return
    if not viewer.can_open(section):
        st.error(f"The {viewer.role} role cannot open {section} pages.", icon=":material/lock:")
        return
    st.caption(caption)
    try:
        path, version = warehouse()
        _last_build_banner(path, version)
        if amounts:
            st.session_state[_DISPLAY_STATE] = _choose_currency(path, version)
        body(path, version)
    except WarehouseUnavailable as error:
        show_unavailable(error)


def choice(widget: Callable[..., Any], label: str, options: Sequence[Any], **kwargs: Any) -> Any:
    """`widget(label, options, **kwargs)` (`st.selectbox` or `st.radio`, of any container) with
    its choice kept in the page's address as `?<key>=<label>` (Streamlit's query-parameter
    binding: the option as `format_func` shows it is the URL value; `key` is required).

    An address value that is not one of `options` (or an empty one, for a filter that cannot
    be empty) is said to be not recognised, beside the filter, before Streamlit drops it for the
    default; a page never shows an all-clear for a value it did not understand."""
    key = kwargs["key"]
    st.session_state.setdefault(_FILTERS_STATE, set()).add(key)
    asked = st.query_params.get(key)
    if asked is not None:
        show = kwargs.get("format_func", str)
        shown = [str(show(option)) for option in options]
        index = kwargs.get("index", 0)
        if asked not in shown and not (asked == "" and index is None):
            instead = "no choice" if index is None or not shown else f"'{shown[index]}'"
            what = f"'{asked}'" if asked else "an empty value"
            widget.__self__.warning(  # the container the filter is drawn in
                f"{label}: {what} (address parameter `{key}`) is not recognised here; "
                f"showing {instead} instead.",
                icon=":material/help:",
            )
    return widget(label, options, bind="query-params", **kwargs)


def codes_help(labels: dict[str, str]) -> str:
    """A filter's help listing what each choice means, for a filter whose choices are the codes
    its address carries (`?rule=no_contact`), since the choice shown is the URL value."""
    return "  \n".join(f"`{code}`: {label}" for code, label in labels.items())


def _forget_other_pages_filters(title: str) -> None:
    """On the first run of a page after another page, forget every filter choice: each page's
    filters come from its own address only. (Streamlit keeps a URL-bound widget's value under
    its key across pages, so `agent` chosen on one page became the `agent` of the next.)"""
    previous = st.session_state.get(_PAGE_STATE)
    st.session_state[_PAGE_STATE] = title
    if previous is None or previous == title:
        return
    for key in st.session_state.get(_FILTERS_STATE, set()):
        if key in st.session_state:
            del st.session_state[key]


def rejected_build() -> tuple[str, int] | None:
    """The last build that was not published (a check blocked it) and its version, when it is
    newer than the published one (`orchestration.publish.rejected_path`); else None. A
    PostgreSQL warehouse keeps no rejected build beside it."""
    published = warehouse_from_env()
    if isinstance(published, PostgresWarehouse):
        return None
    path = rejected_path(published)
    try:
        return str(path), path.stat().st_mtime_ns
    except OSError:
        return None


def _last_build_banner(warehouse: str, version: int) -> None:
    """Warn over every page when the latest build was not published (the figures are those of
    the last good build), or when the published build could not run some checks."""
    rejected = rejected_build()
    if rejected is not None:
        try:
            failed, _ = _cached("last_build_problems", *rejected, ())
        except WarehouseUnavailable:
            failed = 0
        st.error(
            f"The latest build was not published: {failed} check(s) block it. The figures "
            "shown are those of the last published build. See the Data health page.",
            icon=":material/block:",
        )
    try:
        failed, not_run = _cached("last_build_problems", warehouse, version, ())
    except WarehouseUnavailable:  # no check ran yet (a partial warehouse): nothing to warn of
        return
    if failed or not_run:
        st.warning(
            f"The published build failed {failed} blocking check(s) and could not run "
            f"{not_run}: some figures may rest on data that broke a rule. "
            "See the Data health page.",
            icon=":material/warning:",
        )


def _choose_currency(warehouse: str, version: int) -> DisplayCurrency | None:
    """The sidebar's display-currency choice (reporting currency by default)."""
    choices = {c.code: c for c in _cached("display_currencies", warehouse, version, ())}
    if not choices:
        return None
    code = choice(st.sidebar.selectbox, "Show amounts in", list(choices), key=CURRENCY_KEY)
    chosen = choices[code]
    st.sidebar.caption(chosen.note())
    return chosen


def display_currency() -> DisplayCurrency | None:
    """The display currency of this page run (None: the reporting currency, as built)."""
    return st.session_state.get(_DISPLAY_STATE)


def amount_label(text: str) -> str:
    """`text (USD)`: a column or axis label of reporting-currency amounts as shown."""
    currency = display_currency()
    return f"{text} ({currency.code if currency else 'reporting'})"


def viewer() -> Viewer:
    """The viewer of this page run (`page` has checked there is one)."""
    current = current_viewer()
    assert current is not None, "ui.viewer() outside ui.page"
    return current


def query(function: Callable[..., Any], warehouse: str, version: int, *args: Any) -> Any:
    """`function(warehouse, *args)` from `dashboards.queries`, cached per warehouse version, and
    cut to what the viewer may see (`dashboards.access.restrict`): every page reads through
    here, so an agent's scope and the personal-data mask hold on every page. Amounts come in
    the page's display currency (`display_currency`)."""
    result = _cached(function.__name__, warehouse, version, args)
    return _scope(warehouse, version).apply(result)


def deferred(
    function: Callable[..., Any], warehouse: str, version: int, *args: Any
) -> Callable[[], Any]:
    """`query(function, warehouse, version, *args)` to run later, e.g. every row of a table for
    its CSV, read only when the download button is clicked. Streamlit runs that outside the
    page run (a server thread without the session), so the viewer, their cases and the
    display currency are fixed now, and the restriction still holds then."""
    scope = _scope(warehouse, version)

    def run() -> Any:
        return scope.apply(function(warehouse, *args))

    return run


@dataclass(frozen=True)
class _Scope:
    """What a viewer may see of a query result, in which currency (`query`, `deferred`)."""

    viewer: Viewer
    own_cases: frozenset[str] | None
    currency: DisplayCurrency | None

    def apply(self, result: Any) -> Any:
        result = translate(result, self.currency)
        if not isinstance(result, pd.DataFrame):
            return result
        return restrict(result, self.viewer, set(self.own_cases or ()))


def _scope(warehouse: str, version: int) -> _Scope:
    current = viewer()
    own_cases = None
    if current.is_agent:
        own_cases = frozenset(_cached("agent_case_ids", warehouse, version, (current.agent_id,)))
    return _Scope(current, own_cases, display_currency())


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _cached(name: str, warehouse: str, version: int, args: tuple[Any, ...]) -> Any:
    return getattr(queries, name)(warehouse, *args)


def show_unavailable(error: WarehouseUnavailable) -> None:
    """Explain why the warehouse cannot be read, instead of a traceback."""
    if isinstance(error, WarehouseBusy):
        st.warning(error.message, icon=":material/hourglass_top:")
        st.button("Retry", key="warehouse_retry")
    elif isinstance(error, WarehouseNotBuilt):
        st.info(error.message, icon=":material/database:")
    else:
        st.error(error.message, icon=":material/error:")
    where = f"{error.warehouse}: " if error.warehouse is not None else ""
    st.caption(f"{where}{error.detail}")


def format_amount(amount: Decimal | float, currency: str | None) -> str:
    """`1,234.50 EUR`-style amount."""
    text = f"{amount:,.2f}"
    return f"{text} {currency}" if currency else text


def format_share(share: float | None) -> str:
    """A 0–1 share as a percentage with one decimal, `n/a` when undefined."""
    return "n/a" if share is None else f"{share * 100:.1f} %"


def format_count(count: int) -> str:
    return f"{count:,}"


def export_about() -> list[tuple[str, str]]:
    """What an export of this page run holds, for its `about` sheet: the page, each filter of
    its address, and the currency of its amounts."""
    about = [("Page", str(st.session_state.get(_PAGE_STATE) or ""))]
    about += [(f"Filter {key}", str(st.query_params[key])) for key in st.query_params]
    currency = display_currency()
    about.append(
        ("Amounts", currency.note() if currency else "As built, in the reporting currency.")
    )
    about.append(("Timestamps", "UTC"))
    return about


def to_csv(frame: pd.DataFrame) -> str:
    """CSV export of a table: header row, ISO dates and timestamps (a timestamp keeps its time
    of day, `2026-08-31 06:59:10`; a column of dates only stays `2026-08-31`), no index, and
    amounts (`*_amount`, `*_amount_rc`, DECIMAL(18,2) in the marts) with their two decimals."""
    export = frame.copy()
    for column in export.columns:
        is_amount = str(column).endswith(("_amount", "_amount_rc"))
        if is_amount and pd.api.types.is_float_dtype(export[column]):
            export[column] = export[column].map(_two_decimals)
    return export.to_csv(index=False)


def _two_decimals(value: float) -> str:
    return "" if pd.isna(value) else f"{value:.2f}"
