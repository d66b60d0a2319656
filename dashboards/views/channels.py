"""Channels: what the outbound contacts of each channel (call, e-mail, SMS, letter, registered
letter, portal) and template yielded over a period: contacts, right-party contacts, promises,
payments within 7 and 30 days of the contact (each payment counted once, for the last contact
before it), the amount collected per contact and the cost of collecting one unit where a cost
per contact is configured.

Reads `marts.fct_channel_effectiveness` through `dashboards.queries`; the ratios are the mart's
counts and amounts recomputed over the selection, the page only filters and draws. The period,
segment and stage are bound to the URL.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import blocks, charts, queries, ui

SEGMENT_KEY = "segment"
STAGE_KEY = "stage"
RATE = "percent"
COUNT = "%,d"
CHANNEL_LABELS = {"channel": {"sms": "SMS", "email": "E-mail"}}  # the others read as codes do


def _columns(currency: str) -> dict[str, st.column_config.Column]:
    amount = "%,.2f"
    return {
        "channel": st.column_config.TextColumn("Channel"),
        "template_id": st.column_config.TextColumn("Template"),
        "contacts": st.column_config.NumberColumn("Contacts", format=COUNT),
        "right_party_contacts": st.column_config.NumberColumn("RPC", format=COUNT),
        "rpc_rate": st.column_config.NumberColumn("RPC rate", format=RATE),
        "promises": st.column_config.NumberColumn("Promises", format=COUNT),
        "promise_rate": st.column_config.NumberColumn("Promises per contact", format=RATE),
        "payments_7d": st.column_config.NumberColumn("Payments ≤ 7 days", format=COUNT),
        "collected_7d_rc": st.column_config.NumberColumn(
            f"Collected ≤ 7 days ({currency})", format=amount
        ),
        "payments_30d": st.column_config.NumberColumn("Payments ≤ 30 days", format=COUNT),
        "collected_30d_rc": st.column_config.NumberColumn(
            f"Collected ≤ 30 days ({currency})", format=amount
        ),
        "collected_30d_per_contact_rc": st.column_config.NumberColumn(
            f"Collected per contact ({currency})", format=amount
        ),
        "cost_rc": st.column_config.NumberColumn(f"Cost ({currency})", format=amount),
        "cost_per_collected_unit": st.column_config.NumberColumn(
            "Cost per unit collected", format="%.4f"
        ),
        "open_windows": st.column_config.CheckboxColumn("Window still open"),
    }


def _filters(months: list[str], stages: list[str]) -> tuple[str, str, str, str]:
    period_col, segment_col, stage_col = st.columns([3, 2, 2])
    with period_col:
        first, last = blocks.month_range(months, help="Months of the contacts.")
    with segment_col:
        segment = ui.choice(st.radio, "Segment", queries.SEGMENTS, key=SEGMENT_KEY, horizontal=True)
    with stage_col:
        stage = ui.choice(
            st.selectbox,
            "Stage at the contact",
            [queries.ALL, *stages],
            key=STAGE_KEY,
            help="The case's stage when the contact was made; `none`: before any stage event.",
        )
    return first, last, segment, stage


def _notes(by_channel: pd.DataFrame) -> None:
    unpriced = [str(c) for c in by_channel.loc[by_channel["cost_rc"].isna(), "channel"]]
    if unpriced:
        st.caption(
            f"No cost per contact is configured for {', '.join(unpriced)} (config/amicable.yml, "
            "`channels.cost_per_contact`): no cost figures for them."
        )
    if by_channel["open_windows"].any():
        st.caption(
            "Some contacts of the period are less than 30 days old at the build's as-of date: "
            "their payments can still come in (`Window still open`)."
        )


def _render(warehouse: str, version: int) -> None:
    months = ui.query(queries.channel_months, warehouse, version)
    if not months:
        st.info("No outbound contact yet: channel figures start with the first call or message.")
        return
    stages = ui.query(queries.channel_stages, warehouse, version)
    first, last, segment, stage = _filters(months, stages)
    if first > last:
        st.info("The period is empty: 'From month' comes after 'To month'.")
        return
    picked = (first, last, segment, stage)
    by_channel = ui.query(queries.channel_comparison, warehouse, version, *picked, False)
    if by_channel.empty:
        st.info("No outbound contact in this period, segment and stage.")
        return
    currency = by_channel["reporting_currency"].iloc[0] or "reporting currency"
    columns = _columns(currency)
    st.plotly_chart(
        charts.channel_bar_chart(by_channel, amount_label=currency), key="channel_chart"
    )
    _notes(by_channel)
    blocks.table(
        by_channel.drop(columns=["template_id"]),
        key="channel_comparison",
        file_name=f"channels_{first}_{last}_{segment}_{stage}.csv",
        column_config={k: v for k, v in columns.items() if k != "template_id"},
        code_labels=CHANNEL_LABELS,
    )
    st.subheader("By template")
    blocks.table(
        ui.query(queries.channel_comparison, warehouse, version, *picked, True),
        key="channel_templates",
        file_name=f"channel_templates_{first}_{last}_{segment}_{stage}.csv",
        column_config=columns,
        code_labels=CHANNEL_LABELS,
    )


ui.page(
    "Channels",
    "What each channel's outbound contacts yielded in the months chosen: right-party contacts "
    "(calls that reached the debtor; a message never counts as one), promises made on the case "
    "within 7 days, and payments of the debtor within 7 and 30 days, each payment counted once, "
    "for the last outbound contact before it. Cost = contacts × the configured cost per contact; "
    "cost per unit collected = cost ÷ collected within 30 days. Amounts in the currency chosen "
    "in the sidebar.",
    _render,
    section="Supervisor",
    amounts=True,
)
