"""Statements of account (`amicable.statements`, `amicable statements`).

A hand-made ledger (`marts.fct_ar_balance_periods` as the mart holds it, the real
`marts.dim_ageing_buckets`), statement of D1 for November 2026 (EUR, and USD at 0.90):

    INV-A EUR 1000.00 issued 09-01 due 10-01, paid in full 10-15     settled before the period
    INV-B EUR  500.00 issued 10-01 due 10-31, paid 200.00 on 11-05,
                      credit note 100.00 on 11-10                    open 200.00, 30 days: 1-30
    INV-C EUR  300.00 issued 10-20 due 11-19, paid 300.00 on 11-25   settled in the period
    INV-E EUR  250.00 issued 06-01 due 07-01, unpaid                 open, 152 days: 120+
    INV-D USD  400.00 issued 11-15 due 12-15                         open, current, 360.00 EUR

EUR: brought forward at 10-31 0 + 500 + 300 + 250 = 1050.00; 11-05 payment -200 -> 850.00;
11-10 credit note -100 -> 750.00; 11-25 payment -300 -> 450.00 = open B 200 + E 250.
USD: brought forward 0.00; 11-15 invoice +400 -> 400.00. Open at 11-30 in EUR: 810.00.
D2 (B2C) has one open invoice; D3 (B2B) paid everything before November.

On the generated sample (`sample_build`), every B2B debtor's statement at the as-of date and
at the last month end equals `marts.fct_ar_ageing` (closing balance, open amount per currency
and bucket, reporting-currency total).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from amicable.case_file.pdf import unicode_font
from amicable.cli import main
from amicable.statements import (
    DebtorNotFound,
    StatementError,
    file_stem,
    load_statement,
    load_statements,
    statement_debtors,
    to_csv,
    to_pdf,
)
from amicable.statements import load as statements_load
from tests.conftest import SAMPLE_AS_OF, SampleBuild
from tests.dbt_project.raw_fixture import build_models

D = dt.date.fromisoformat
AS_OF = D("2026-11-30")
FROM = D("2026-11-01")

# invoice, debtor, name, segment, currency, issue, due, amount,
#   periods: (valid_from, valid_to, allocated to date, credited to date)
LEDGER = [
    ("A", "D1", "Acme GmbH", "B2B", "EUR", "2026-09-01", "2026-10-01", "1000.00",
     [("2026-09-01", "2026-10-15", "0", "0"), ("2026-10-15", None, "1000.00", "0")]),
    ("B", "D1", "Acme GmbH", "B2B", "EUR", "2026-10-01", "2026-10-31", "500.00",
     [("2026-10-01", "2026-11-05", "0", "0"), ("2026-11-05", "2026-11-10", "200.00", "0"),
      ("2026-11-10", None, "200.00", "100.00")]),
    ("C", "D1", "Acme GmbH", "B2B", "EUR", "2026-10-20", "2026-11-19", "300.00",
     [("2026-10-20", "2026-11-25", "0", "0"), ("2026-11-25", None, "300.00", "0")]),
    ("E", "D1", "Acme GmbH", "B2B", "EUR", "2026-06-01", "2026-07-01", "250.00",
     [("2026-06-01", None, "0", "0")]),
    ("D", "D1", "Acme GmbH", "B2B", "USD", "2026-11-15", "2026-12-15", "400.00",
     [("2026-11-15", None, "0", "0")]),
    ("F", "D2", "Bo Li", "B2C", "EUR", "2026-11-02", "2026-12-02", "80.00",
     [("2026-11-02", None, "0", "0")]),
    ("G", "D3", "Cato SA", "B2B", "EUR", "2026-08-01", "2026-08-31", "90.00",
     [("2026-08-01", "2026-09-10", "0", "0"), ("2026-09-10", None, "90.00", "0")]),
]  # fmt: skip

CREATE = """
create schema marts;
create table marts.fct_ar_balance_periods (
    invoice_id varchar, debtor_id varchar, segment varchar, currency varchar, issue_date date,
    due_date date, valid_from date, valid_to date, open_amount decimal(18, 2),
    unapplied_credit_amount decimal(18, 2), invoice_number varchar, debtor_name varchar,
    invoice_amount decimal(18, 2), allocated_amount_to_date decimal(18, 2),
    credited_amount_to_date decimal(18, 2)
);
create table marts.dim_fx_rate_periods as
select * from (values
    ('EUR', date '0001-01-01', cast(null as date), 1.0),
    ('USD', date '2026-01-01', cast(null as date), 0.90)
) as rates (currency, valid_from, valid_to, rate_to_reporting);
create table marts.dim_build as select date '2026-12-04' as as_of_date, 'run-1' as run_id;
create table marts.dim_currencies as
select 'EUR' as currency, true as is_reporting_currency
union all select 'USD', false;
"""


def write_ledger(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(CREATE)
        for invoice, debtor, name, segment, currency, issued, due, amount, periods in LEDGER:
            for valid_from, valid_to, allocated, credited in periods:
                balance = Decimal(amount) - Decimal(allocated) - Decimal(credited)
                con.execute(
                    "insert into marts.fct_ar_balance_periods values "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [f"I{invoice}", debtor, segment, currency, issued, due, valid_from,
                     valid_to, max(balance, Decimal(0)), max(-balance, Decimal(0)),
                     f"INV-{invoice}", name, amount, allocated, credited],
                )  # fmt: skip
        build_models(con, "dim_ageing_buckets")
    return path


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return write_ledger(tmp_path / "ledger.duckdb")


def _statement(path: Path, debtor: str = "D1", as_of=AS_OF, from_date=FROM):
    with duckdb.connect(str(path), read_only=True) as con:
        return load_statement(con, debtor, as_of, from_date)


def test_lines_carry_the_running_balance_per_currency(ledger: Path) -> None:
    statement = _statement(ledger)

    lines = [
        (row.currency, str(row.line_date), row.line_kind, row.invoice_number, row.amount,
         row.balance)
        for row in statement.lines.itertuples()
    ]  # fmt: skip
    assert lines == [
        ("EUR", "2026-10-31", "opening_balance", None, Decimal("1050.00"), Decimal("1050.00")),
        ("EUR", "2026-11-05", "payment", "INV-B", Decimal("-200.00"), Decimal("850.00")),
        ("EUR", "2026-11-10", "credit_note", "INV-B", Decimal("-100.00"), Decimal("750.00")),
        ("EUR", "2026-11-25", "payment", "INV-C", Decimal("-300.00"), Decimal("450.00")),
        ("USD", "2026-10-31", "opening_balance", None, Decimal("0.00"), Decimal("0.00")),
        ("USD", "2026-11-15", "invoice", "INV-D", Decimal("400.00"), Decimal("400.00")),
    ]
    assert statement.currencies == ["EUR", "USD"]
    assert statement.closing_balance("EUR") == Decimal("450.00") == statement.open_amount("EUR")
    assert statement.closing_balance("USD") == Decimal("400.00")
    assert (statement.debtor_name, statement.segment) == ("Acme GmbH", "B2B")


def test_items_are_the_open_ones_and_those_settled_in_the_period(ledger: Path) -> None:
    items = _statement(ledger).items

    found = [
        (row.invoice_number, row.status, row.open_amount, row.days_past_due, row.ageing_bucket,
         row.open_amount_rc, None if row.settled_on is None else str(row.settled_on))
        for row in items.itertuples()
    ]  # fmt: skip
    assert found == [
        ("INV-E", "open", Decimal("250.00"), 152, "120+", Decimal("250.00"), None),
        ("INV-B", "open", Decimal("200.00"), 30, "1-30", Decimal("200.00"), None),
        ("INV-C", "settled", Decimal("0.00"), None, None, Decimal("0.00"), "2026-11-25"),
        ("INV-D", "open", Decimal("400.00"), -15, "current", Decimal("360.00"), None),
    ]
    b = items[items["invoice_number"] == "INV-B"].iloc[0]
    assert (b.paid_amount, b.credited_amount) == (Decimal("200.00"), Decimal("100.00"))


def test_an_item_settled_before_the_period_shows_in_the_month_it_was(ledger: Path) -> None:
    october = _statement(ledger, as_of=D("2026-10-31"), from_date=D("2026-10-01"))

    settled = october.items[october.items["status"] == "settled"]
    assert list(settled["invoice_number"]) == ["INV-A"]
    assert str(settled.iloc[0].settled_on) == "2026-10-15"
    # 09-30: A 1000 + E 250; + B 500 (10-01) - A 1000 (10-15) + C 300 (10-20)
    assert list(october.lines["balance"]) == [
        Decimal(v) for v in ("1250.00", "1750.00", "750.00", "1050.00")
    ]


def test_the_ageing_summary_holds_every_bucket_in_order(ledger: Path) -> None:
    statement = _statement(ledger)

    eur = statement.ageing[statement.ageing["currency"] == "EUR"]
    assert list(eur["ageing_bucket"]) == ["current", "1-30", "31-60", "61-90", "91-120", "120+"]
    assert list(eur["open_items"]) == [0, 1, 0, 0, 0, 1]
    assert list(eur["open_amount"]) == [Decimal(v) for v in ("0", "200", "0", "0", "0", "250")]
    usd = statement.ageing[statement.ageing["currency"] == "USD"]
    assert list(usd["open_amount_rc"])[0] == Decimal("360.00")
    assert statement.open_amount_rc == Decimal("810.00")


def test_bulk_picks_the_debtors_of_a_segment_with_something_in_the_period(ledger: Path) -> None:
    with duckdb.connect(str(ledger), read_only=True) as con:
        assert list(statement_debtors(con, "B2B", AS_OF, FROM)["debtor_id"]) == ["D1"]
        assert list(statement_debtors(con, "all", AS_OF, FROM)["debtor_id"]) == ["D1", "D2"]
        with pytest.raises(StatementError, match="unknown segment 'SME'.*B2B, B2C"):
            statement_debtors(con, "SME", AS_OF, FROM)
        with pytest.raises(DebtorNotFound, match="'D9'"):
            load_statement(con, "D9", AS_OF, FROM)
        with pytest.raises(StatementError, match="after the warehouse's as-of date 2026-12-04"):
            load_statement(con, "D1", D("2026-12-05"), FROM)


@pytest.mark.parametrize("batch", [1, 500])
def test_statements_read_in_batches_equal_those_read_one_by_one(
    ledger: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    monkeypatch.setattr(statements_load, "BATCH", batch)
    now = dt.datetime(2026, 12, 4, tzinfo=dt.UTC)
    with duckdb.connect(str(ledger), read_only=True) as con:
        together = list(load_statements(con, ["D2", "D1", "D3"], AS_OF, FROM, now))
        alone = [load_statement(con, d, AS_OF, FROM, now) for d in ("D2", "D1", "D3")]
        with pytest.raises(DebtorNotFound, match="'D9'"):
            list(load_statements(con, ["D1", "D9"], AS_OF, FROM, now))

    assert [s.debtor_id for s in together] == ["D2", "D1", "D3"]
    assert [to_csv(s) for s in together] == [to_csv(s) for s in alone]
    assert together[2].lines.empty and together[2].items.empty  # D3: nothing in November
    assert together[2].currencies == [] and together[2].open_amount_rc == 0


def test_files_are_a_csv_of_sections_and_a_pdf(ledger: Path) -> None:
    statement = _statement(ledger)

    text = to_csv(statement).decode("utf-8")
    assert text.startswith("statement\nkey,value\ndebtor_id,D1\n")
    assert "closing_balance_EUR,450.00\n" in text and "open_amount_rc,810.00\n" in text
    assert "\n\nlines\ncurrency,line_date,line_kind," in text
    assert "EUR,2026-11-10,credit_note,IB,INV-B,2026-10-31,-100.00,750.00\n" in text
    pdf = to_pdf(statement)
    assert pdf.startswith(b"%PDF-")
    assert b"/Title (Statement of account D1 2026-11-30)" in pdf
    assert file_stem("D 1/../x", AS_OF) == "statement_D_1_.._x_2026-11-30"


@pytest.mark.skipif(unicode_font() is None, reason="DejaVu Sans is not installed")
def test_the_unicode_font_is_embedded_only_for_a_name_beyond_latin1(ledger: Path) -> None:
    statement = _statement(ledger)
    assert b"/BaseFont /Helvetica" in to_pdf(statement)
    named = replace(statement, debtor_name="Łucja Żak")
    pdf = to_pdf(named)
    assert b"DejaVu" in pdf and b"/BaseFont /Helvetica" not in pdf


def test_cli_writes_a_file_pair_per_debtor_of_a_list(ledger: Path, tmp_path: Path, capsys) -> None:
    listed = tmp_path / "debtors.txt"
    listed.write_text("# to chase\nD1\n\nD2  # new\nD1\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["statements", "--warehouse", str(ledger), "--as-of", "2026-11-30", "--out", str(out)]

    assert main([*args, "--debtors", str(listed)]) == 0

    assert "2 statements of account (2026-11-01 to 2026-11-30)" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == [
        "statement_D1_2026-11-30.csv", "statement_D1_2026-11-30.pdf",
        "statement_D2_2026-11-30.csv", "statement_D2_2026-11-30.pdf",
    ]  # fmt: skip
    assert (out / "statement_D2_2026-11-30.pdf").read_bytes().startswith(b"%PDF-")
    assert "closing_balance_EUR,80.00" in (out / "statement_D2_2026-11-30.csv").read_text()


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        (["--segment", "SME"], "unknown segment 'SME'"),
        (["--debtor", "D1", "--debtor", "NOPE"], "1 debtor(s) with no invoice in the warehouse"),
        (["--debtor", "D1", "--from", "2026-12-01"], "the period starts on 2026-12-01, after"),
    ],
)
def test_cli_errors_are_one_line(
    ledger: Path, tmp_path: Path, capsys, chosen: list[str], message: str
) -> None:
    args = ["statements", "--warehouse", str(ledger), "--as-of", "2026-11-30"]

    assert main([*args, *chosen, "--out", str(tmp_path / "out")]) == 2

    err = capsys.readouterr().err
    assert err.startswith("amicable: error: ") and message in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()  # nothing written


def test_cli_says_when_the_folder_cannot_be_written(ledger: Path, tmp_path: Path, capsys) -> None:
    taken = tmp_path / "a_file"
    taken.write_text("not a folder", encoding="utf-8")
    args = ["statements", "--warehouse", str(ledger), "--debtor", "D1", "--out", str(taken)]

    assert main(args) == 2

    err = capsys.readouterr().err
    assert err.startswith(f"amicable: error: cannot write the statements to {taken}")
    assert len(err.strip().splitlines()) == 1


def test_cli_segment_run_on_the_sample(sample_build: SampleBuild, tmp_path: Path, capsys) -> None:
    warehouse = sample_build.settings.warehouse
    expected = sample_build.query(
        "select count(distinct debtor_id) from marts.fct_ar_ageing "
        "where snapshot_date = ? and segment = 'B2B'",
        [SAMPLE_AS_OF],
    )[0][0]
    out = tmp_path / "out"

    status = main(["statements", "--warehouse", str(warehouse), "--segment", "B2B", "--out",
                   str(out)])  # fmt: skip

    assert status == 0
    # every debtor owing at the as-of date has a statement (and those that settled in the month)
    assert len(list(out.glob("*.pdf"))) == len(list(out.glob("*.csv"))) >= expected > 3
    assert f"(2026-11-01 to {SAMPLE_AS_OF})" in capsys.readouterr().out


AGEING_BY_DEBTOR = """
select currency, ageing_bucket, count(*), sum(open_amount), sum(open_amount_rc)
from marts.fct_ar_ageing
where snapshot_date = ? and debtor_id = ?
group by all
"""


@pytest.mark.parametrize("as_of", [SAMPLE_AS_OF, D("2026-10-31")])
def test_every_b2b_statement_equals_the_ageing_mart(sample_build: SampleBuild, as_of) -> None:
    owing = {
        debtor
        for (debtor,) in sample_build.query(
            "select distinct debtor_id from marts.fct_ar_ageing "
            "where snapshot_date = ? and segment = 'B2B'",
            [as_of],
        )
    }
    with duckdb.connect(str(sample_build.settings.warehouse), read_only=True) as con:
        debtors = list(statement_debtors(con, "B2B", as_of)["debtor_id"])
        assert owing <= set(debtors) and len(owing) > 3
        for debtor in debtors:
            statement = load_statement(con, debtor, as_of)
            mart = {
                (currency, bucket): (count, amount, amount_rc)
                for currency, bucket, count, amount, amount_rc in sample_build.query(
                    AGEING_BY_DEBTOR, [as_of, debtor]
                )
            }
            unapplied = dict(
                sample_build.query(
                    "select currency, sum(unapplied_credit_amount) from marts.fct_unapplied_credit"
                    " where snapshot_date = ? and debtor_id = ? group by all",
                    [as_of, debtor],
                )
            )
            shown = {
                (row.currency, row.ageing_bucket): (
                    row.open_items,
                    row.open_amount,
                    row.open_amount_rc,
                )
                for row in statement.ageing.itertuples()
                if row.open_items
            }
            assert shown == mart, debtor
            for currency in statement.currencies:
                open_in_mart = sum(
                    (v[1] for (c, _), v in mart.items() if c == currency), Decimal(0)
                )
                assert statement.open_amount(currency) == open_in_mart, (debtor, currency)
                assert statement.closing_balance(currency) == open_in_mart - unapplied.get(
                    currency, Decimal(0)
                ), (debtor, currency)
            total_rc = sum((v[2] for v in mart.values()), Decimal(0))
            assert statement.open_amount_rc == total_rc, debtor
