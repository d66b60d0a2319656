"""Each case's main reasons, in plain words: for each feature, how far the case's score moves
when that feature alone is set to its training reference (median, or most common category)
instead of the case's own value. The three largest moves are the reasons; one method for
either kind of model, on the calibrated probability the page shows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from amicable.scores.spec import CATEGORICAL, FLAGS, PLAIN_WORDS, ScoreSpec

TOP = 3


def contributions(model, x: pd.DataFrame, reference: dict, spec: ScoreSpec) -> pd.DataFrame:
    """Per case (rows of x) and feature, p(case) - p(case with the feature at its reference)."""
    base = model.predict_proba(x)[:, 1]
    out = pd.DataFrame(index=x.index)
    for col in spec.features:
        moved = x.copy()
        moved[col] = reference[col]
        out[col] = base - model.predict_proba(moved)[:, 1]
    return out


def describe(feature: str, value, change: float) -> str:
    """`days past due 95 lowers it 12 points`."""
    words = PLAIN_WORDS[feature]
    direction = "raises" if change > 0 else "lowers"
    points = abs(change) * 100
    if feature in FLAGS:
        said = words if value == 1 else f"no {words.removeprefix('a ').removeprefix('an ')}"
    elif feature in CATEGORICAL:
        said = f"{words} {value}"
    elif value is None or (isinstance(value, float) and np.isnan(value)):
        said = f"{words} unknown"
    elif feature == "share_paid_by_due_date":
        said = f"{words} {value:.0%}"
    elif feature == "open_amount_rc":
        said = f"{words} {value:,.0f}"
    else:
        said = f"{words} {value:g}"
    return f"{said} {direction} it {points:.0f} points"


def reasons(model, x: pd.DataFrame, reference: dict, spec: ScoreSpec) -> list[list[str]]:
    """Per case, up to TOP reasons, largest move first (a feature that moves nothing is none)."""
    moves = contributions(model, x, reference, spec)
    out = []
    for idx in x.index:
        row = moves.loc[idx]
        order = row.abs().sort_values(ascending=False)
        picked = [f for f in order.index[:TOP] if abs(row[f]) >= 0.005]
        out.append([describe(f, x.at[idx, f], row[f]) for f in picked])
    return out
