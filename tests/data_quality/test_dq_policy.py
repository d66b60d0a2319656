"""The blocking rule (data_quality/policy.py): blocking checks block on any failure, row-level
checks only above the configured share of failing rows, warnings never."""

from __future__ import annotations

import pytest

from data_quality.policy import share_text, verdict


def test_a_blocking_check_blocks_on_a_single_failure() -> None:
    assert verdict("blocking", 1, 1_000_000, 0.01) == "fail"
    assert verdict("blocking", 0, 10, 0.01) == "pass"


def test_a_row_defect_is_flagged_up_to_the_share_and_blocks_beyond_it() -> None:
    assert verdict("row", 1, 1_000_000, 0.01) == "warn"
    assert verdict("row", 10_000, 1_000_000, 0.01) == "warn", "exactly 1 % still publishes"
    assert verdict("row", 10_001, 1_000_000, 0.01) == "fail"
    assert verdict("row", 1, 10, 0.0) == "fail", "a share of 0 blocks every row defect"


def test_a_row_check_without_a_row_count_only_warns() -> None:
    assert verdict("row", 5, None, 0.01) == "warn"
    assert verdict("row", 5, 0, 0.01) == "warn"


def test_a_warning_never_blocks() -> None:
    assert verdict("warning", 999, 1000, 0.01) == "warn"


def test_an_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="level must be one of"):
        verdict("severe", 1, 1, 0.01)  # type: ignore[arg-type]


def test_the_share_is_said_in_words() -> None:
    assert share_text(3, 1200, 0.01) == "3 of 1,200 rows (0.25 %; blocks above 1 %)"
    assert share_text(3, None, 0.01) == "3 row(s)"
