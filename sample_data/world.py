"""Who is in the simulated world: debtors with payment habits, and collection agents."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from itertools import accumulate
from random import Random

from sample_data.days import Clock, at_utc
from sample_data.profiles import STANDARD, Profile

CURRENCY = {"US": "USD", "FR": "EUR", "DE": "EUR", "GB": "GBP"}
TIMEZONES = {
    "US": ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"),
    "FR": ("Europe/Paris",),
    "DE": ("Europe/Berlin",),
    "GB": ("Europe/London",),
}
JURISDICTION = {"GB": "UK"}
TEAM_OF_COUNTRY = {"FR": "team_europe", "DE": "team_europe", "GB": "team_uk", "US": "team_americas"}
TEAMS = ("team_europe", "team_uk", "team_americas")
COUNTRY_WEIGHTS = (("FR", 35), ("US", 25), ("GB", 20), ("DE", 20))
HABIT_WEIGHTS = STANDARD.habit_weights

FIRST = {
    "US": ("James", "Mary", "Robert", "Linda", "Michael", "Patricia", "David", "Jennifer"),
    "FR": ("Camille", "Léa", "Hugo", "Chloé", "Théo", "Inès", "Loïc", "Hélène"),
    "DE": ("Jürgen", "Anna", "Lukas", "Sophie", "Jonas", "Marie", "Björn", "Lea"),
    "GB": ("Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Jack", "Emily"),
}
LAST = {
    "US": ("Smith", "Johnson", "Williams", "Brown", "Garcia", "Miller", "Davis", "O'Neil"),
    "FR": ("Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Rousseau"),
    "DE": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Schröder", "Wagner", "Becker"),
    "GB": ("Taylor", "Jones", "Wilson", "Evans", "Thomas", "Roberts", "Walker", "Wright"),
}
TRADES = ("Logistics", "Foods", "Consulting", "Print", "Energy", "Builders", "Textiles", "Media")
SUFFIX = {
    "US": ("Inc.", "LLC", ", Inc."),
    "FR": ("SAS", "SARL", "SA"),
    "DE": ("GmbH", "GmbH & Co. KG", "AG"),
    "GB": ("Ltd", "& Sons Ltd", "plc"),
}
BANKS = {"FR": ("30004", "30003", "10278"), "DE": ("10070000", "20041111", "50010517")}
GB_BANKS = ("NWBK", "BARC", "LOYD", "HBUK", "MIDL")


def weighted(rng: Random, options: tuple[tuple[str, int], ...]) -> str:
    """One option drawn by weight (one `rng.random()`, as `rng.choices` with weights)."""
    population, cum_weights = _cumulative(options)
    return rng.choices(population, cum_weights=cum_weights)[0]


@cache
def _cumulative(options: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    return [o for o, _ in options], list(accumulate(w for _, w in options))


def iban(country: str, bban: str) -> str:
    """IBAN with ISO 13616 mod-97 check digits."""
    digits = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def iban_is_valid(value: str) -> bool:
    digits = "".join(str(int(ch, 36)) for ch in value[4:] + value[:4])
    return int(digits) % 97 == 1


def french_bban(bank: str, branch: str, account: str) -> str:
    key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    return f"{bank}{branch}{account}{key:02d}"


def random_iban(rng: Random, country: str) -> str:
    if country == "FR":
        bank = rng.choice(BANKS["FR"])
        return iban("FR", french_bban(bank, f"{rng.randint(0, 99999):05d}", _digits(rng, 11)))
    if country == "DE":
        return iban("DE", rng.choice(BANKS["DE"]) + _digits(rng, 10))
    return iban("GB", rng.choice(GB_BANKS) + _digits(rng, 6) + _digits(rng, 8))


def _digits(rng: Random, n: int) -> str:
    return f"{rng.randrange(10**n):0{n}d}"


@dataclass
class Debtor:
    idx: int
    debtor_id: str
    name: str
    segment: str
    country: str
    timezone: str
    currency: str
    email: str | None
    phone: str | None
    credit_limit: int | None  # cents
    iban: str | None  # None for US payers, who pay from a domestic account
    account_no: str | None
    habit: str
    terms: int
    batch_payer: bool  # pays on a weekly payment run, several invoices per transfer
    reachability: float  # chance a call reaches the debtor
    onboarded: datetime
    updated: datetime | None  # a later change of contact details, if any
    stop_from: date | None  # invoices issued from this day on are not paid by habit
    scenario: str | None  # forced scenario of the debtor's first case
    profile: Profile = STANDARD  # how intensely the world works its cases (profiles.py)

    @property
    def jurisdiction(self) -> str:
        return JURISDICTION.get(self.country, self.country)

    @property
    def team(self) -> str:
        return TEAM_OF_COUNTRY[self.country]


# Scenarios every size must show at least once: the first debtors get them, in this order,
# with (segment, country) when the scenario needs one.
FORCED: tuple[tuple[str, str | None, str | None], ...] = (
    ("promise_kept", None, None),
    ("broken_then_kept", None, None),
    ("partial_then_plan", "B2B", None),
    ("litigation", "B2B", "FR"),
    ("written_off", None, None),
    ("dispute_upheld", "B2B", None),
    ("dispute_rejected", "B2C", "US"),  # hosts the US-DISPUTE slip and near miss
    ("settled", "B2B", "DE"),
    ("cease", "B2C", "US"),
    ("attorney", "B2C", "US"),
    ("reopened", None, "GB"),
    ("payment_plan", "B2C", None),
    ("quick_pay", None, None),
    ("pending", "B2B", None),
    ("unfollowed", None, None),  # a broken promise nobody follows up, stuck at as_of
)


def make_debtor(
    idx: int,
    rng: Random,
    clock: Clock,
    forced: tuple[str, str | None, str | None] | None = None,
    profile: Profile = STANDARD,
) -> Debtor:
    """Debtor `idx`; `forced` (scenario, segment, country) as FORCED gives the first ones;
    `profile` sets the habit mix and how reachable it is."""
    forced = forced or (FORCED[idx] if idx < len(FORCED) else None)
    country = (forced and forced[2]) or weighted(rng, COUNTRY_WEIGHTS)
    segment = (forced and forced[1]) or ("B2B" if rng.random() < profile.b2b_share else "B2C")
    habit = weighted(rng, profile.habit_weights) if forced is None else "slow"
    first, last = rng.choice(FIRST[country]), rng.choice(LAST[country])
    if segment == "B2B":
        name = f"{last} {rng.choice(TRADES)} {rng.choice(SUFFIX[country])}".replace(" ,", ",")
        slug = "".join(ch for ch in _ascii(f"{last}{name.split()[1]}".lower()) if ch.isalnum())
        email = f"accounts@{slug}.example.com"
    else:
        name = f"{first} {last}"
        email = _ascii(f"{first}.{last}{idx % 97}@example.org".lower().replace("'", ""))
    if rng.random() < 0.12:
        email = None
    onboard_day = clock.start - timedelta(days=rng.randint(30, 2000))
    if forced is None and rng.random() < 0.2:
        onboard_day = clock.start + timedelta(days=rng.randint(0, 380))
    onboarded = at_utc(onboard_day, rng.randint(8 * 3600, 18 * 3600))
    stop_from = None
    if habit == "non_payer":
        stop_from = clock.start + timedelta(days=rng.randint(0, 420))
    if forced:
        stop_from = clock.start + timedelta(days=rng.randint(0, 30))
        if forced[0] == "pending":
            stop_from = clock.horizon - timedelta(days=160)
        if forced[0] == "unfollowed":  # a case still open, its last promise long broken
            stop_from = clock.horizon - timedelta(days=240)
    updated = None
    if rng.random() < 0.1:
        span = (datetime.combine(clock.horizon, datetime.min.time()) - onboarded).days
        updated = onboarded + timedelta(days=rng.randint(1, max(1, span)), hours=3)
    return Debtor(
        idx=idx,
        debtor_id=f"D{idx + 1:06d}",
        name=name,
        segment=segment,
        country=country,
        timezone=rng.choice(TIMEZONES[country]),
        currency=CURRENCY[country],
        email=email,
        phone=None if rng.random() < 0.1 else _phone(rng, country),
        credit_limit=_credit_limit(rng, segment),
        iban=None if country == "US" else random_iban(rng, country),
        account_no=_digits(rng, 10) if country == "US" else None,
        habit=habit,
        terms=rng.choice((30, 45, 60)) if segment == "B2B" and not forced else 30,
        batch_payer=segment == "B2B" and rng.random() < 0.4,
        reachability=0.7 if forced else rng.uniform(*profile.reachability),
        onboarded=onboarded,
        updated=updated,
        stop_from=stop_from,
        scenario=forced[0] if forced else None,
        profile=profile,
    )


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _phone(rng: Random, country: str) -> str:
    if country == "US":
        return f"+1 {rng.randint(201, 989)} 555 {rng.randint(100, 199):04d}"
    if country == "FR":
        return f"+33 6 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} 00"
    if country == "DE":
        return f"+49 30 {rng.randint(1000000, 9999999)}"
    return f"+44 7700 900{rng.randint(0, 999):03d}"


def _credit_limit(rng: Random, segment: str) -> int | None:
    if segment == "B2C" or rng.random() < 0.2:
        return None
    return rng.choice((5_000, 10_000, 25_000, 50_000, 100_000)) * 100


@dataclass(frozen=True)
class Agent:
    agent_id: str
    name: str
    team: str
    supervisor_id: str | None
    active_from: date
    active_to: date | None


def make_agents(per_team: int, clock: Clock, seed: int) -> list[Agent]:
    """Teams of `per_team` agents under one supervisor; in teams of three or more, one agent
    leaves during the history and another joins."""
    rng = Random(seed * 7_919 + 11)
    agents: list[Agent] = []
    for t, team in enumerate(TEAMS):
        country = ("FR", "GB", "US")[t]
        sup_id = f"AG{len(agents) + 1:03d}"
        old = clock.start - timedelta(days=rng.randint(400, 2500))
        agents.append(Agent(sup_id, _person(rng, country), team, None, old, None))
        for k in range(per_team):
            start = clock.start - timedelta(days=rng.randint(30, 1500))
            end = None
            if per_team >= 3 and k == per_team - 2:
                end = clock.start + timedelta(days=rng.randint(120, 300))
            if per_team >= 3 and k == per_team - 1:
                start = clock.start + timedelta(days=rng.randint(60, 200))
            agent_id = f"AG{len(agents) + 1:03d}"
            agents.append(Agent(agent_id, _person(rng, country), team, sup_id, start, end))
    return agents


def _person(rng: Random, country: str) -> str:
    return f"{rng.choice(FIRST[country])} {rng.choice(LAST[country])}"


class AgentPool:
    """Agents by team, to assign cases to someone active on a given day."""

    def __init__(self, agents: list[Agent]) -> None:
        self.agents = agents
        self.supervisor = {a.team: a for a in agents if a.supervisor_id is None}
        self.by_team = {
            team: [a for a in agents if a.team == team and a.supervisor_id] for team in TEAMS
        }

    def pick(self, team: str, day: date, rng: Random, exclude: str | None = None) -> Agent:
        active = [
            a
            for a in self.by_team[team]
            if a.active_from <= day and (a.active_to is None or day <= a.active_to)
        ]
        others = [a for a in active if a.agent_id != exclude] or active
        return rng.choice(others or [self.supervisor[team]])
