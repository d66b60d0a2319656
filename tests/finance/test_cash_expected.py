"""Cash expected from promises on the generated sample."""

from __future__ import annotations

from tests.conftest import SampleBuild


def test_every_pending_promise_due_in_30_days_is_expected_and_nothing_else(
    sample_build: SampleBuild,
) -> None:
    expected = {r[0] for r in sample_build.query("select promise_id from marts.fct_cash_expected")}
    pending = {
        r[0]
        for r in sample_build.query(
            "select promise_id from marts.fct_promises where outcome = 'pending'"
            " and promised_date between ? and ? + interval 30 day",
            [sample_build.settings.as_of, sample_build.settings.as_of],
        )
    }
    assert pending, "the sample has promises falling due in the next 30 days"
    assert expected == pending


def test_expected_cash_is_the_remaining_amount_times_a_rate_between_0_and_1(
    sample_build: SampleBuild,
) -> None:
    rows = sample_build.query(
        "select c.remaining_amount_rc, c.kept_rate_used, c.expected_amount_rc,"
        " p.promised_amount_rc - coalesce(p.paid_amount_rc, 0)"
        " from marts.fct_cash_expected as c"
        " inner join marts.fct_promises as p on p.promise_id = c.promise_id"
    )
    for remaining, rate, expected, still_due in rows:
        assert remaining == max(still_due, 0)
        assert 0 <= rate <= 1
        assert abs(expected - remaining * rate) <= 0.005
