"""What each score predicts, trained on which rows, from which features, in plain words. A new
score is one more `ScoreSpec`: its training table (one of the point-in-time feature marts, whose
feature columns are those of `int_case_score_features`), its label column there. A score
trained on cases scores the cases open at as_of (`CASES_TABLE` where `is_as_of`); one trained
on promises scores the pending promises, each from its own row (`PROMISES_TABLE`, label null)."""

from __future__ import annotations

from dataclasses import dataclass

CASES_TABLE = "marts.fct_case_score_features"  # one row per open case and scoring date
PROMISES_TABLE = "marts.fct_promise_score_features"  # one row per promise, at its making

# Every feature the scores may use, with the words a supervisor reads. None is a protected
# attribute (the contract has none); jurisdiction is left out on purpose, so the page can show
# the kept rate by jurisdiction beside the scores.
NUMERIC = {
    "days_past_due": "days past due",
    "open_amount_rc": "open amount",
    "share_paid_by_due_date": "share of the debtor's earlier invoices paid on time",
    "avg_days_late": "the debtor's average days late",
    "invoices_due_before": "the debtor's invoices due so far",
    "contacts_last_30_days": "contacts in the last 30 days",
    "right_party_contacts_last_30_days": "conversations with the debtor in the last 30 days",
    "promises_kept": "promises kept so far",
    "promises_broken": "promises broken so far",
    "days_in_stage": "days in the current stage",
    "days_since_opened": "days since the case opened",
}
FLAGS = {
    "has_running_promise": "a promise running",
    "has_open_dispute": "an open dispute",
}
CATEGORICAL = {
    "segment": "segment",
    "strategy": "strategy",
    "stage": "stage",
    "ageing_bucket": "ageing bucket",
}
PLAIN_WORDS = NUMERIC | FLAGS | CATEGORICAL


@dataclass(frozen=True)
class ScoreSpec:
    name: str  # the score's id in scores.models and scores.case_scores
    label: str  # the label column of `table` (null while its window is open)
    horizon_days: int  # the label's window after the scoring date (its longest)
    description: str
    table: str = CASES_TABLE  # the training rows: scoring_date, features, label
    rows: str = "open cases at month ends"  # what a training row is, in plain words
    # A column: the first as-of date whose build sets the row's label (null in every build
    # before it); else scoring_date + horizon_days, that day for the case labels. The time
    # split keeps a row in a slice only if its label is known by the next slice's first date;
    # the latest is where the model's history ends (scores.models.history_to).
    label_known_on: str | None = None
    numeric: tuple[str, ...] = tuple(NUMERIC) + tuple(FLAGS)
    categorical: tuple[str, ...] = tuple(CATEGORICAL)

    @property
    def features(self) -> tuple[str, ...]:
        return self.numeric + self.categorical


PAY_WITHIN_30_DAYS = ScoreSpec(
    name="pay_within_30_days",
    label="paid_within_30_days",
    horizon_days=30,
    description="probability that the open case is closed paid in full or by a completed "
    "payment plan within 30 days",
)

LITIGATION_WITHIN_90_DAYS = ScoreSpec(
    name="litigation_within_90_days",
    label="referred_within_90_days",
    horizon_days=90,
    description="probability that the open case is referred to litigation within 90 days",
)

PROMISE_KEPT = ScoreSpec(
    name="promise_kept",
    label="kept",
    horizon_days=30,  # its longest window (promised date + grace); split by label_known_on
    description="probability that a promise to pay made on the open case is kept (paid in "
    "full within its window, marts.fct_promises)",
    table=PROMISES_TABLE,
    rows="promises, each on the day before it was made",
    label_known_on="label_known_on",  # window_end_date + 1 (fct_promise_score_features)
)

SCORES = {spec.name: spec for spec in (PAY_WITHIN_30_DAYS, LITIGATION_WITHIN_90_DAYS, PROMISE_KEPT)}
