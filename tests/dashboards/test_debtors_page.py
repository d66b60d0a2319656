"""The top debtors page on the generated sample (`sample_build`): its figures are the exposure
mart's, recomputed here from the ageing mart, and a debtor drills down to their cases."""

from __future__ import annotations

import csv

import pytest

from dashboards import queries
from dashboards.access import MASK, OPEN_ENV, Viewer
from dashboards.signin import VIEWER_KEY
from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import (
    Downloads,
    SelectRow,
    Table,
    bound_keys,
    metrics,
    open_page,
    page_app,
)

# Open AR per debtor straight from the ageing mart's as-of snapshot (the exposure mart's source).
OPEN_BY_DEBTOR = """
select debtor_id, sum(open_amount_rc)
from marts.fct_ar_ageing
where is_latest_snapshot and (? = 'all' or segment = ?)
group by 1
"""


def open_by_debtor(sample: SampleBuild, segment: str) -> dict[str, float]:
    return {debtor: float(amount) for debtor, amount in sample.query(OPEN_BY_DEBTOR, [segment] * 2)}


@pytest.mark.parametrize("segment", ["all", "B2B"])
def test_the_headline_and_the_ranking_are_the_ageing_marts_open_ar(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch, table_of: Table, segment: str
) -> None:
    expected = open_by_debtor(sample_build, segment)
    assert len(expected) > 3

    page = open_page("debtors", sample_build.settings.warehouse, monkeypatch, segment=segment)

    assert not page.exception
    assert [header.value for header in page.subheader] == ["Top debtors by open AR"]
    shown = metrics(page)
    assert shown["Debtors owing"] == f"{len(expected):,}"
    assert shown["Open (EUR)"] == f"{sum(expected.values()):,.2f}"
    debtors = table_of(page, "top_debtors")
    ranked = sorted(expected.items(), key=lambda item: (-item[1], item[0]))
    owing = debtors[debtors["open_items"] > 0]
    assert list(owing["debtor_id"]) == [debtor for debtor, _ in ranked][: len(owing)]
    top = [amount for _, amount in ranked][: len(owing)]
    assert list(owing["open_amount_rc"]) == pytest.approx(top)


def test_ranking_by_days_beyond_terms_puts_the_latest_payer_first(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch, table_of: Table
) -> None:
    (latest,) = sample_build.query(
        "select debtor_id from marts.fct_ar_ageing where is_latest_snapshot group by 1"
        " order by round(sum(open_amount_rc * greatest(days_past_due, 0))"
        " / sum(open_amount_rc), 1) desc, 1 limit 1"
    )[0]

    page = open_page(
        "debtors", sample_build.settings.warehouse, monkeypatch, rank="Days beyond terms"
    )

    assert not page.exception
    assert [header.value for header in page.subheader] == ["Top debtors by days beyond terms"]
    debtors = table_of(page, "top_debtors")
    assert debtors["debtor_id"].iloc[0] == latest
    days = list(debtors["days_beyond_terms"].dropna())
    assert days == sorted(days, reverse=True)
    assert page.selectbox(key="rank").value == "days_beyond_terms"


def test_clicking_a_debtor_lists_their_cases(
    sample_build: SampleBuild,
    monkeypatch: pytest.MonkeyPatch,
    table_of: Table,
    select_row: SelectRow,
) -> None:
    page = open_page("debtors", sample_build.settings.warehouse, monkeypatch)
    debtors = list(table_of(page, "top_debtors")["debtor_id"])
    placed = {
        row[0] for row in sample_build.query("select distinct debtor_id from marts.dim_cases")
    }
    index = next(i for i, debtor in enumerate(debtors) if debtor in placed)

    select_row(page, "top_debtors", index)

    assert not page.exception
    debtor = debtors[index]
    assert page.selectbox(key="debtor").value == debtor
    cases = table_of(page, "debtor_cases")
    expected = sample_build.query(
        "select case_id from marts.dim_cases where debtor_id = ? order by opened_at desc, case_id",
        [debtor],
    )
    assert list(cases["case_id"]) == [row[0] for row in expected]
    assert {"segment", "rank", "debtor"} <= bound_keys(page)


def test_a_debtor_downloads_their_statement_whose_balance_is_the_ageing_marts(
    sample_build: SampleBuild,
    monkeypatch: pytest.MonkeyPatch,
    table_of: Table,
    select_row: SelectRow,
    downloads: Downloads,
) -> None:
    page = open_page("debtors", sample_build.settings.warehouse, monkeypatch)
    debtor = str(table_of(page, "top_debtors")["debtor_id"].iloc[0])
    open_by_currency = dict(
        sample_build.query(
            "select currency, sum(open_amount) from marts.fct_ar_ageing"
            " where is_latest_snapshot and debtor_id = ? group by 1",
            [debtor],
        )
    )

    select_row(page, "top_debtors", 0)

    assert not page.exception
    assert downloads.is_deferred(page, "statement_pdf")  # rendered on click only
    stem = f"statement_{debtor}_2026-11-20"
    assert downloads.file_name(page, "statement_pdf") == f"{stem}.pdf"
    assert downloads.file_name(page, "statement_csv") == f"{stem}.csv"
    assert downloads.data(page, "statement_pdf").startswith(b"%PDF-")
    text = downloads.data(page, "statement_csv").decode("utf-8")
    assert text.startswith(f"statement\nkey,value\ndebtor_id,{debtor}\n")
    for currency, amount in open_by_currency.items():
        assert f"\nclosing_balance_{currency},{amount:.2f}\n" in text
        assert f"{amount:,.2f} {currency}" in " ".join(c.value for c in page.caption)


@pytest.mark.parametrize(("segment", "shown"), [("B2C", False), ("B2B", True)])
def test_a_consumers_name_is_masked_in_the_statement_for_finance(
    sample_build: SampleBuild,
    monkeypatch: pytest.MonkeyPatch,
    downloads: Downloads,
    segment: str,
    shown: bool,
) -> None:
    debtor, name = sample_build.query(
        "select debtor_id, debtor_name from marts.fct_debtor_exposure where segment = ?"
        " and open_amount_rc > 0 order by open_amount_rc desc, debtor_id limit 1",
        [segment],
    )[0]
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(sample_build.settings.warehouse))
    monkeypatch.delenv(OPEN_ENV)
    page = page_app("debtors")
    page.session_state[VIEWER_KEY] = Viewer("f", "F", "finance")
    page.query_params.update(segment=segment, debtor=debtor)
    page.run()

    assert not page.exception
    text = downloads.data(page, "statement_csv").decode("utf-8")
    facts = dict(row for row in csv.reader(text.splitlines()) if len(row) == 2)  # key, value
    assert facts["debtor_id"] == debtor
    assert facts["debtor_name"] == (name if shown else MASK)
    assert (name in text) is shown


def test_the_ranking_refuses_an_unknown_measure_before_any_sql(tmp_path) -> None:
    with pytest.raises(ValueError, match="ranking must be one of"):
        queries.debtor_exposure(tmp_path / "absent.duckdb", "all", "size")
