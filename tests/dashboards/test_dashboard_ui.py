from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd

from dashboards import queries, ui


def test_csv_export_has_a_header_iso_dates_and_two_decimal_amounts(ageing_warehouse: Path) -> None:
    items = queries.ageing_items(ageing_warehouse, dt.date(2026, 11, 20), "B2B", "1-30")

    lines = ui.to_csv(items).splitlines()

    assert lines[0].split(",")[:4] == ["invoice_id", "invoice_number", "debtor_id", "debtor_name"]
    assert lines[1] == "I2,INV-2,D1,Acme GmbH,B2B,2026-11-05,15,1-30,500.00,USD,450.00,EUR"
    assert len(lines) == 2


def test_csv_export_keeps_a_timestamps_time_of_day_and_a_dates_day() -> None:
    timeline = pd.DataFrame(
        {
            "occurred_at": pd.to_datetime(["2026-08-31 06:59:10", "2026-09-01 00:00:00"]),
            "due_date": pd.to_datetime(["2026-08-31", "2026-09-01"]),
        }
    )

    lines = ui.to_csv(timeline).splitlines()

    assert lines[1:] == ["2026-08-31 06:59:10,2026-08-31", "2026-09-01 00:00:00,2026-09-01"]


def test_amounts_shares_and_counts_are_formatted_for_reading() -> None:
    assert ui.format_amount(Decimal("4065.75"), "EUR") == "4,065.75 EUR"
    assert ui.format_amount(Decimal("0"), None) == "0.00"
    assert ui.format_share(2950.75 / 4065.75) == "72.6 %"
    assert ui.format_share(None) == "n/a"
    assert ui.format_count(12345) == "12,345"


def test_tables_without_a_configuration_read_in_words_with_thousands_separators() -> None:
    from dashboards.blocks import blank_missing_text, column_words, default_columns

    assert column_words("promises_kept_pct") == "Promises kept %"
    assert column_words("open_amount_rc") == "Open amount (reporting currency)"
    assert column_words("agent_id") == "Agent ID"
    frame = pd.DataFrame(
        {
            "agent_id": ["A1", None],
            "calls": [1234, 5],
            "amount_rc": [1234.5, None],
            "ok": [True, False],
        }
    )
    config = default_columns(frame)
    assert [config[c]["label"] for c in frame.columns] == [
        "Agent ID", "Calls", "Amount (reporting currency)", "Ok",
    ]  # fmt: skip
    assert config["calls"]["type_config"]["format"] == "%,d"
    assert config["amount_rc"]["type_config"]["format"] == "%,.2f"
    shown = blank_missing_text(frame)
    assert list(shown["agent_id"]) == ["A1", ""]  # not "None"
    assert shown["amount_rc"].isna().iloc[1]  # numbers stay missing, shown empty by the grid
    assert frame["agent_id"].isna().iloc[1]  # the frame (and its CSV) unchanged


def test_codes_read_in_words_and_other_values_as_they_are() -> None:
    from dashboards.blocks import code_words

    assert code_words("formal_demand") == "Formal demand"
    assert code_words("stage_sla") == "Stage SLA"
    assert code_words("no_contact", {"no_contact": "No contact for too long"}) == (
        "No contact for too long"
    )
    assert code_words("US-7IN7") == "US-7IN7"  # a rule ID is not a code to spell out
    assert code_words("B2B") == "B2B"
