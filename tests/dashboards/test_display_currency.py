"""The display currency (`?currency=`): every reporting-currency amount of a page shown in
another currency at the as_of rate of `marts.dim_currencies`; ratios unchanged."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from dashboards import queries
from dashboards.money import DisplayCurrency, translate, translate_frame
from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import metrics, page_app, table

USD = DisplayCurrency("USD", "EUR", Decimal("1.0840954524"), None, pd.Timestamp(0).date())


def _rate(sample_build: SampleBuild, currency: str) -> Decimal:
    (rate,) = sample_build.query(
        "select units_per_reporting_unit from marts.dim_currencies where currency = ?", [currency]
    )[0]
    return Decimal(str(rate))


def test_a_frame_converts_its_reporting_amounts_and_label_only() -> None:
    frame = pd.DataFrame(
        {
            "open_amount": [100.0, 50.0],  # document currency: untouched
            "open_amount_rc": [100.0, None],
            "recovery_rate": [0.5, 0.25],  # a ratio: untouched
            "reporting_currency": ["EUR", "EUR"],
        }
    )
    shown = translate_frame(frame, USD)
    assert list(shown["open_amount_rc"].fillna(-1)) == [108.41, -1]
    assert list(shown["open_amount"]) == [100.0, 50.0]
    assert list(shown["recovery_rate"]) == [0.5, 0.25]
    assert set(shown["reporting_currency"]) == {"USD"}
    assert list(frame["open_amount_rc"].fillna(-1)) == [100.0, -1]  # the cached frame is kept


def test_a_decimal_rounds_half_to_even_to_the_cent() -> None:
    assert USD.amount(Decimal("1000.00")) == Decimal("1084.10")
    same = DisplayCurrency("EUR", "EUR", Decimal(1), None, USD.as_of)
    assert translate(frame := pd.DataFrame({"a_rc": [1.0]}), same) is frame


def test_the_ageing_kpis_follow_the_currency_in_the_address(
    sample_warehouse: Path, sample_build: SampleBuild
) -> None:
    page = page_app("ageing")
    page.run()
    assert page.selectbox(key="currency").value == "EUR"
    in_eur = metrics(page)["Total open (EUR)"]

    page = page_app("ageing")
    page.query_params["currency"] = "USD"
    page.run()

    assert not page.exception
    total = Decimal(in_eur.replace(",", ""))
    expected = (total * _rate(sample_build, "USD")).quantize(Decimal("0.01"))
    assert metrics(page)["Total open (USD)"] == f"{expected:,.2f}"
    assert any("1 EUR = 1.08" in c.value and "USD" in c.value for c in page.sidebar.caption)


def test_dso_days_stay_and_amounts_convert(
    sample_warehouse: Path, sample_build: SampleBuild
) -> None:
    page = page_app("dso")
    page.run()
    in_eur = table(page, "credit_sales_rc")
    page.selectbox(key="currency").set_value("GBP").run()
    in_gbp = table(page, "credit_sales_rc")

    assert not page.exception
    rate = float(_rate(sample_build, "GBP"))
    assert in_gbp["credit_sales_rc"].tolist() == pytest.approx(
        (in_eur["credit_sales_rc"] * rate).round(2).tolist()
    )
    days = [c for c in in_eur.columns if c.endswith("_days")]
    assert days
    pd.testing.assert_frame_equal(in_gbp[days], in_eur[days])


def test_pages_without_amounts_offer_no_currency(sample_warehouse: Path) -> None:
    page = page_app("breaches")
    page.run()
    assert not page.exception
    assert "currency" not in [box.key for box in page.selectbox]


def test_an_unknown_currency_in_the_address_shows_the_reporting_one(
    sample_warehouse: Path,
) -> None:
    page = page_app("ageing")
    page.query_params["currency"] = "XXX"
    page.run()
    assert not page.exception
    assert page.selectbox(key="currency").value == "EUR"
    assert "Total open (EUR)" in metrics(page)


def test_an_export_of_converted_amounts_names_the_currency() -> None:
    assert USD.file_name("ageing_2026-11-20_all.csv") == "ageing_2026-11-20_all_in_USD.csv"
    assert USD.file_name("case_file") == "case_file_in_USD"
    eur = DisplayCurrency("EUR", "EUR", Decimal(1), None, USD.as_of)
    assert eur.file_name("ageing.csv") == "ageing.csv"


def test_a_converted_waterfall_still_adds_up_to_its_closing() -> None:
    amounts = {
        "opening_amount": Decimal("1000.05"),
        "new_invoice_amount": Decimal("333.33"),
        "credit_note_amount": Decimal("10.01"),
        "cash_applied_amount": Decimal("250.27"),
        "unapplied_credit_change_amount": Decimal("0.03"),
        "fx_revaluation_amount": Decimal("-1.11"),
        "closing_amount": Decimal("1072.02"),
    }
    waterfall = queries.ArWaterfall(amounts, movement_rows=9, reporting_currency="EUR")
    shown = translate(waterfall, USD)

    assert shown.reporting_currency == "USD"
    assert shown.amounts["opening_amount"] == Decimal("1084.15")  # 1000.05 × 1.0840954524
    bridge = shown.amounts["opening_amount"] + sum(
        shown.signed_change(step) for step in queries.WATERFALL_STEPS[1:-1]
    )
    assert shown.amounts["closing_amount"] == bridge
    assert abs(bridge - USD.amount(amounts["closing_amount"])) <= Decimal("0.03")
