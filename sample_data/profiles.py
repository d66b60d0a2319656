"""How intensely a sample's world is worked: the debtor mix and the dialer's effort.

`STANDARD` is the world of `tiny`, `demo` and `large` (their files depend on it byte for byte:
change a size's profile, never these values). `AGENCY` is a collections agency's book, for
`xl`: mostly consumers, more of them delinquent, hard to reach, called by a dialer that
retries up to sixty times (still at most one outbound call a day and none for a week after a
conversation), with a reminder after most unanswered calls. Every rule the simulation keeps
by construction (business hours, pacing, silence after a cease request) holds under both.
"""

from __future__ import annotations

from dataclasses import dataclass

Weights = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Profile:
    habit_weights: Weights  # how many debtors pay on time, slowly, ... (world.HABIT_WEIGHTS)
    b2b_share: float  # share of businesses among debtors (the rest are consumers)
    reachability: tuple[float, float]  # range of a debtor's chance a call reaches it
    max_tries: int  # calls (the answered one included) before the case tool stops a round
    reminder_share: float  # chance an unanswered outbound call is followed by a reminder
    call_gap: dict[str, tuple[int, int]]  # days between outbound calls, by strategy


STANDARD = Profile(
    habit_weights=(
        ("on_time", 38),
        ("slow", 25),
        ("chronic_late", 15),
        ("partial", 12),
        ("non_payer", 10),
    ),
    b2b_share=0.4,
    reachability=(0.15, 0.45),
    max_tries=10,
    reminder_share=0.3,
    call_gap={"soft": (5, 8), "standard": (2, 4), "intensive": (1, 2)},
)

AGENCY = Profile(
    habit_weights=(
        ("on_time", 14),
        ("slow", 22),
        ("chronic_late", 24),
        ("partial", 20),
        ("non_payer", 20),
    ),
    b2b_share=0.15,
    reachability=(0.02, 0.06),
    max_tries=60,
    reminder_share=0.8,
    call_gap={"soft": (2, 4), "standard": (1, 2), "intensive": (1, 1)},
)
