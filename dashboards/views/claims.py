"""Late-payment claims: the interest and fixed compensation the creditor could claim on B2B
invoices paid late or still overdue, by debtor, with drill to the debtor's invoices.

Reads `marts.fct_late_payment_interest` and `marts.dim_late_payment_rates` through
`dashboards.queries`; every figure comes from the marts (the rule pack of the creditor's
jurisdiction, config/late_payment/), the page only filters and sums. The status and the debtor
are bound to the URL.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import blocks, queries, ui

STATUS_KEY = "status"
DEBTOR_KEY = "debtor"
TABLE_KEY = "claims_by_debtor"
INVOICES_KEY = "claims_invoices"
RATES_KEY = "claims_rates"
DISPLAY_LIMIT = 100  # debtors shown; the CSV holds every one

STATUS_LABELS = {
    "all": "All late invoices",
    "open": "Still overdue",
    "settled": "Paid late",
}


def _amount(label: str, currency: str) -> object:
    return st.column_config.NumberColumn(f"{label} ({currency})", format="%,.2f")


def _debtor_columns(currency: str) -> dict[str, object]:
    return {
        "debtor_id": st.column_config.TextColumn("Debtor"),
        "debtor_name": st.column_config.TextColumn("Name"),
        "invoices": st.column_config.NumberColumn("Late invoices", format="%,d"),
        "open_invoices": st.column_config.NumberColumn("Still overdue", format="%,d"),
        "max_days_late": st.column_config.NumberColumn("Most days late", format="%,d"),
        "interest_amount_rc": _amount("Interest", currency),
        "compensation_amount_rc": _amount("Compensation", currency),
        "claimable_amount_rc": _amount("Claimable", currency),
    }


def _invoice_columns(currency: str) -> dict[str, object]:
    return {
        "invoice_number": st.column_config.TextColumn("Invoice"),
        "currency": st.column_config.TextColumn("Currency"),
        "invoice_amount": st.column_config.NumberColumn("Amount", format="%,.2f"),
        "due_date": st.column_config.DateColumn("Due"),
        "settled_on": st.column_config.DateColumn("Settled"),
        "open_amount": st.column_config.NumberColumn("Open", format="%,.2f"),
        "days_late": st.column_config.NumberColumn("Days late", format="%,d"),
        "interest_amount": st.column_config.NumberColumn("Interest", format="%,.2f"),
        "compensation_amount": st.column_config.NumberColumn("Compensation", format="%,.2f"),
        "compensation_currency": st.column_config.TextColumn("Comp. currency"),
        "claimable_amount_rc": _amount("Claimable", currency),
        "legal_reference": st.column_config.TextColumn("Legal reference"),
    }


def _kpi_row(kpis: pd.Series, currency: str) -> None:
    def amount(field: str) -> str:
        value = kpis[field]
        return "unknown (no rate)" if pd.isna(value) else ui.format_amount(value, None)

    columns = st.columns(4)
    columns[0].metric(
        "Late invoices",
        ui.format_count(int(kpis["invoices"])),
        help=f"Of {ui.format_count(int(kpis['debtors']))} debtors.",
    )
    columns[1].metric(f"Interest ({currency})", amount("interest_amount_rc"))
    columns[2].metric(f"Compensation ({currency})", amount("compensation_amount_rc"))
    columns[3].metric(f"Claimable ({currency})", amount("claimable_amount_rc"))


def _rates(warehouse: str, version: int) -> None:
    rates = ui.query(queries.late_payment_rates, warehouse, version)
    if rates.empty:
        return
    latest = rates.iloc[0]
    since = latest["reference_rate_since"]
    missing = rates[rates["interest_rate_pct"].isna()]
    if not missing.empty:
        st.warning(
            f"No {latest['reference_rate']} rate in force on "
            f"{', '.join(f'{day:%Y-%m-%d}' for day in pd.to_datetime(missing['fixing_date']))}: "
            "the interest of the days in those half-years is unknown (its totals show as "
            "unknown). Add the rate to config/late_payment/reference_rates.csv and rebuild.",
            icon=":material/percent:",
        )
    if not pd.isna(since):
        st.caption(
            f"Pack **{latest['pack']}**: {latest['reference_rate']} "
            f"{float(latest['reference_rate_pct']):g} % + {float(latest['margin_points']):g} "
            f"points = {float(latest['interest_rate_pct']):g} % a year from "
            f"{pd.Timestamp(latest['period_start']):%Y-%m-%d} (the reference rate changed last "
            f"on {pd.Timestamp(since):%Y-%m-%d} in config/late_payment/reference_rates.csv: "
            "add a row there when it changes)."
        )
    with st.expander("Interest rate of each half-year"):
        blocks.table(rates, key=RATES_KEY, file_name="late_payment_rates.csv")


def _render(warehouse: str, version: int) -> None:
    status = ui.choice(
        st.radio,
        "Invoices",
        list(queries.CLAIM_STATUSES),
        format_func=STATUS_LABELS.get,
        key=STATUS_KEY,
        horizontal=True,
    )
    kpis = ui.query(queries.late_payment_kpis, warehouse, version, status).iloc[0]
    currency = kpis["reporting_currency"] or "reporting currency"
    _kpi_row(kpis, currency)
    _rates(warehouse, version)
    debtors = ui.query(queries.late_payment_debtors, warehouse, version, status, DISPLAY_LIMIT)
    if debtors.empty:
        st.info("No B2B invoice of this status was paid late or is overdue.")
        return
    st.subheader("Claims by debtor")
    st.caption(
        f"The {ui.format_count(len(debtors))} largest claims (the CSV holds every debtor). "
        "Click a debtor to list their invoices."
    )
    blocks.table(
        debtors,
        key=TABLE_KEY,
        file_name=f"late_payment_claims_{status}.csv",
        column_config=_debtor_columns(currency),
        on_select=blocks.drill_to(TABLE_KEY, DEBTOR_KEY, list(debtors["debtor_id"])),
        every_row=ui.deferred(queries.late_payment_debtors, warehouse, version, status),
    )
    debtor = ui.choice(
        st.selectbox,
        "Debtor to open",
        list(debtors["debtor_id"]),
        index=None,
        placeholder="Click a debtor, or choose one, to list their invoices",
        key=DEBTOR_KEY,
    )
    if debtor is None:
        return
    st.subheader(f"Late invoices of debtor {debtor}")
    blocks.table(
        ui.query(queries.late_payment_invoices, warehouse, version, debtor, status),
        key=INVOICES_KEY,
        file_name=f"late_payment_claims_{debtor}_{status}.csv",
        column_config=_invoice_columns(currency),
    )


ui.page(
    "Late-payment claims",
    "What could be claimed on B2B invoices paid after their due date or still overdue: "
    "interest at the statutory rate of the creditor's jurisdiction (reference rate of each "
    "half-year plus the pack's margin, on the open amount of each late day, 365-day year) and "
    "the fixed compensation per invoice. B2C invoices get none. Not legal advice: a contract "
    "may set other terms. Amounts in the currency chosen in the sidebar unless a column says "
    "otherwise.",
    _render,
    section="Finance",
    amounts=True,
)
