"""What each score predicts, from which features of `marts.fct_case_score_features`, in plain
words. A new score is one more `ScoreSpec` (its label a column of that mart)."""

from __future__ import annotations

from dataclasses import dataclass

FEATURES_TABLE = "marts.fct_case_score_features"

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
    label: str  # the label column of FEATURES_TABLE (null while its window is open)
    horizon_days: int  # the label's window after the scoring date
    description: str
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

SCORES = {spec.name: spec for spec in (PAY_WITHIN_30_DAYS,)}
