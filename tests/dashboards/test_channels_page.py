"""The Channels page on the generated sample (`sample_build`): its per-channel contacts,
right-party contacts and attributed payments, recomputed here from the contacts and payments
alone (each payment to the debtor's last outbound contact on or before its payment date, within
7 and 30 days), and an honest message where there is nothing to show."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboards.access import OPEN_ENV, Viewer
from dashboards.queries.supervisor import channel_comparison
from dashboards.signin import VIEWER_KEY
from tests.conftest import SAMPLE_AS_OF, SampleBuild
from tests.dashboards.apptest_support import open_page, page_app, table


def recomputed(sample: SampleBuild) -> dict[str, dict[str, int]]:
    """Per channel: outbound contacts, right-party calls, and the distinct payments whose
    debtor's last outbound contact on or before the payment date was on that channel within 7
    and within 30 days."""
    contacts = sample.query(
        "select contacts.channel, contacts.contact_kind, contacts.contact_id, contacts.contact_at,"
        " contacts.contact_date, contacts.is_right_party_contact,"
        " coalesce(cases.debtor_id, contacts.debtor_id)"
        " from intermediate.int_ops_case_contacts as contacts"
        " left join staging.stg_cases__cases as cases on contacts.case_id = cases.case_id"
        " where contacts.direction = 'outbound'"
    )
    payments = sample.query(
        "select allocations.payment_ref, allocations.payment_date, invoices.debtor_id"
        " from intermediate.int_payment_allocations_dated as allocations"
        " join staging.stg_erp__invoices as invoices"
        " on allocations.invoice_id = invoices.invoice_id"
        " where allocations.payment_date <= ?",
        [SAMPLE_AS_OF],
    )
    figures: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_debtor: dict[str, list[tuple]] = defaultdict(list)
    for channel, kind, contact_id, at, day, rpc, debtor in contacts:
        figures[channel]["contacts"] += 1
        figures[channel]["right_party_contacts"] += int(rpc)
        by_debtor[debtor].append(((at, kind, contact_id), day, channel))
    paid: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for ref, paid_on, debtor in payments:
        before = [c for c in by_debtor.get(debtor, []) if c[1] <= paid_on]
        if not before:
            continue
        _, day, channel = max(before)
        days = (paid_on - day).days
        if days <= 30:
            paid[channel].add((ref, 30))
        if days <= 7:
            paid[channel].add((ref, 7))
    for channel, refs in paid.items():
        figures[channel]["payments_30d"] = sum(1 for _, window in refs if window == 30)
        figures[channel]["payments_7d"] = sum(1 for _, window in refs if window == 7)
    return {channel: dict(values) for channel, values in figures.items()}


def channel_table(page: AppTest) -> pd.DataFrame:
    """The per-channel table (the per-template one has `template_id`)."""
    [found] = [
        frame.value
        for frame in page.dataframe
        if "contacts" in frame.value.columns and "template_id" not in frame.value.columns
    ]
    return found


def test_each_channels_contacts_and_payments_are_recomputed_from_the_sources(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page("channels", sample_build.settings.warehouse, monkeypatch)

    assert not page.exception
    assert len(page.get("plotly_chart")) == 1
    shown = channel_table(page)
    measures = ["contacts", "right_party_contacts", "payments_7d", "payments_30d"]
    by_channel = {
        row["channel"]: {m: int(row[m]) for m in measures} for row in shown.to_dict("records")
    }
    expected = {
        channel: {m: figures.get(m, 0) for m in measures}
        for channel, figures in recomputed(sample_build).items()
    }
    assert {"call", "email", "sms", "letter"} <= set(by_channel)
    assert by_channel == expected
    assert sum(f["payments_30d"] for f in expected.values()) > 10  # payments were attributed
    calls = shown.set_index("channel").loc["call"]
    assert calls["rpc_rate"] == pytest.approx(
        calls["right_party_contacts"] / calls["contacts"], abs=0.0001
    )
    # The shipped configuration prices a call at 1.20: cost ÷ collected within 30 days.
    assert calls["cost_rc"] == pytest.approx(1.20 * calls["contacts"], abs=0.005)
    assert calls["cost_per_collected_unit"] == pytest.approx(
        calls["cost_rc"] / calls["collected_30d_rc"], rel=1e-4
    )
    templates = table(page, "template_id")
    assert templates.groupby("channel")["contacts"].sum().to_dict() == {
        channel: figures["contacts"] for channel, figures in expected.items()
    }


def test_a_filtered_address_keeps_its_choices_and_sums_the_marts_cell(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(
        "channels",
        sample_build.settings.warehouse,
        monkeypatch,
        segment="B2C",
        stage="contact",
        **{"from": "2026-01", "to": "2026-06"},
    )

    assert not page.exception
    assert page.radio(key="segment").value == "B2C"
    assert page.selectbox(key="stage").value == "contact"
    ((contacts,),) = sample_build.query(
        "select count(*) from intermediate.int_ops_case_contacts as contacts"
        " join staging.stg_cases__cases as cases on contacts.case_id = cases.case_id"
        " join staging.stg_erp__customers as customers on cases.debtor_id = customers.debtor_id"
        " join intermediate.int_ops_case_stays as stays on contacts.case_id = stays.case_id"
        " and stays.entered_at <= contacts.contact_at"
        " and (stays.left_at is null or contacts.contact_at < stays.left_at)"
        " where contacts.direction = 'outbound' and customers.segment = 'B2C'"
        " and stays.state = 'contact'"
        " and contacts.contact_date between ? and ?",
        [dt.date(2026, 1, 1), dt.date(2026, 6, 30)],
    )
    assert contacts > 0
    assert channel_table(page)["contacts"].sum() == contacts


def test_a_warehouse_without_contacts_says_so_instead_of_an_empty_chart(
    sample_build: SampleBuild, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(sample_build.settings.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from marts.fct_channel_effectiveness")
    page = open_page("channels", warehouse, monkeypatch)

    assert not page.exception
    assert [info.value for info in page.info] == [
        "No outbound contact yet: channel figures start with the first call or message."
    ]
    assert not page.dataframe
    assert not page.get("plotly_chart")


@pytest.mark.parametrize(
    ("role", "opens"), [("supervisor", True), ("finance", False), ("auditor", False)]
)
def test_the_page_opens_for_supervisors_only(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch, role: str, opens: bool
) -> None:
    monkeypatch.delenv(OPEN_ENV)
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(sample_build.settings.warehouse))
    page = page_app("channels")
    page.session_state[VIEWER_KEY] = Viewer(role[0], role.title(), role)
    page.run()

    assert not page.exception
    refused = any("cannot open Supervisor pages" in error.value for error in page.error)
    assert refused is not opens
    assert bool(page.dataframe) is opens


def test_collected_per_contact_rounds_a_half_cent_away_from_zero(tmp_path: Path) -> None:
    """2.01 collected over 2 contacts is 1.005 per contact: 1.01, as PostgreSQL gives it (in
    DuckDB's floating-point division it was 1.00499... and rounded to 1.00)."""
    warehouse = tmp_path / "channels.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_channel_effectiveness as select"
            " date '2026-03-01' as period_month, 'B2C' as segment, 'contact' as stage,"
            " 'call' as channel, 'T1' as template_id, 2 as contacts,"
            " 1 as right_party_contacts, 0 as promises, 1 as payments_7d,"
            " cast(2.01 as decimal(18, 2)) as collected_7d_rc, 1 as payments_30d,"
            " cast(2.01 as decimal(18, 2)) as collected_30d_rc,"
            " cast(2.40 as decimal(18, 2)) as cost_rc, true as is_window_complete,"
            " 'EUR' as reporting_currency"
        )
    compared = channel_comparison(warehouse, "2026-03", "2026-03", "all", "all")
    assert compared["collected_30d_per_contact_rc"].tolist() == [1.01]
