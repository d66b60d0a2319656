"""Business thresholds: loaded from one YAML file (`config/amicable.yml`), validated on load.

Paths and run options live in `amicable.settings`; thresholds that shape figures (promise grace
days, stuck-case SLAs...) live in the YAML file and reach dbt as vars.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from amicable.late_payment import LatePaymentError, late_payment_var
from amicable.rule_packs import RulePackError, load_rule_packs
from amicable.yaml_files import first_problem, parsed_once, read_yaml
from ingestion.contracts import SOURCES
from ingestion.source_db import DEFAULT_TABLES, SourceTableSpec

STAGES = frozenset(
    {"reminder", "contact", "negotiation", "payment_plan", "formal_demand", "pre_litigation"}
)
CHANNELS = ("call", "email", "sms", "letter", "registered_letter", "portal")
Days = Annotated[int, Field(ge=0)]
SOURCE_TABLES = tuple(s.name for s in SOURCES)
_CADENCE = re.compile(r"^\s*([1-9][0-9]*)\s*([hd])\s*$")


def _cadence_hours(value: object) -> object:
    """`36h` -> 36, `4d` -> 96; anything else is left for pydantic to refuse."""
    if isinstance(value, str):
        match = _CADENCE.match(value)
        if not match:
            raise ValueError(f"{value!r} is not a cadence: write hours as `36h` or days as `4d`")
        return int(match[1]) * (24 if match[2] == "d" else 1)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{value!r} is not a cadence: write hours as `36h` or days as `4d`")
    return value


Hours = Annotated[int, BeforeValidator(_cadence_hours), Field(gt=0)]


def _known_sources(value: dict, what: str) -> None:
    unknown = sorted(set(value) - set(SOURCE_TABLES))
    if unknown:
        raise ValueError(
            f"unknown source table(s) {', '.join(unknown)} in {what}; "
            f"known: {', '.join(SOURCE_TABLES)}"
        )


class ConfigError(Exception):
    """The configuration file is missing or invalid (one line, names file and key)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Ageing(_Strict):
    """Ageing buckets by days past due (DESIGN.md §4 "Ageing"; macro finance_ageing_buckets).

    `bucket_edges` are the last day past due of each bucket after `current` (days <= 0), in
    increasing order; one more open-ended bucket follows the last edge. The default
    [30, 60, 90, 120] gives current, 1-30, 31-60, 61-90, 91-120, 120+."""

    bucket_edges: list[Annotated[int, Field(gt=0, le=3650)]] = Field(
        [30, 60, 90, 120], min_length=1, max_length=12
    )

    @field_validator("bucket_edges")
    @classmethod
    def _increasing(cls, value: list[int]) -> list[int]:
        for earlier, later in zip(value, value[1:], strict=False):
            if later <= earlier:
                raise ValueError(
                    f"edges must increase: {later} follows {earlier} (each is the last day "
                    "past due of a bucket, e.g. [30, 60, 90, 120])"
                )
        return value


class Promises(_Strict):
    """Promise outcome rule (DESIGN.md §4 "Promises"; marts.fct_promises)."""

    grace_days: int = Field(3, ge=0, le=60)
    tolerance_pct: float = Field(1.0, ge=0, le=100)
    tolerance_units: float = Field(1.0, ge=0)


class StuckCases(_Strict):
    """Stuck-case thresholds in days (DESIGN.md §4 "Case flow"; marts.fct_stuck_cases)."""

    stage_sla_days: dict[str, Days]
    no_contact_days: dict[str, Days]
    broken_promise_follow_up_days: Days = 3

    @field_validator("stage_sla_days")
    @classmethod
    def _known_stages(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - STAGES)
        if unknown:
            raise ValueError(f"unknown stage(s) {', '.join(unknown)}")
        return value

    @field_validator("no_contact_days")
    @classmethod
    def _has_default(cls, value: dict[str, int]) -> dict[str, int]:
        if "default" not in value:
            raise ValueError("needs a `default` entry for strategies not listed")
        return value


class CashExpected(_Strict):
    """Weights of the cash expected from promises (marts.fct_cash_expected)."""

    lookback_days: int = Field(365, ge=1, le=3660)
    min_decided: int = Field(5, ge=1)


class Channels(_Strict):
    """Cost of one outbound contact per channel, in reporting currency
    (marts.fct_channel_effectiveness: cost and cost per collected unit). A channel not listed
    has no configured cost: its cost figures stay null, never zero."""

    cost_per_contact: dict[str, Annotated[float, Field(ge=0, le=1_000_000)]] = {}

    @field_validator("cost_per_contact")
    @classmethod
    def _known_channels(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(CHANNELS))
        if unknown:
            raise ValueError(
                f"unknown channel(s) {', '.join(unknown)}; known: {', '.join(CHANNELS)}"
            )
        return value


class Compliance(_Strict):
    """Where the compliance rule packs live (DESIGN.md §5; marts.fct_compliance_breaches).

    `rule_packs_dir` is relative to the configuration file's folder (default: the shipped
    `config/rule_packs`); public holidays are generated for `holiday_years` (first, last)."""

    rule_packs_dir: Path = Path("rule_packs")
    holiday_years: tuple[int, int] = (2020, 2035)


class LatePayment(_Strict):
    """Late-payment interest and compensation (marts.fct_late_payment_interest): the pack of
    `creditor_jurisdiction` (where the creditor, the company using amicable, sits) among the
    packs of `packs_dir` (relative to the configuration file's folder), else its default pack
    (the EU directive); reference rates from `packs_dir/reference_rates.csv`."""

    creditor_jurisdiction: str = Field("FR", pattern=r"^[A-Z]{2,3}$")
    packs_dir: Path = Path("late_payment")


class VolumeBounds(_Strict):
    """Rows of a source's latest load vs its previous load: allowed ratio, both ends included."""

    min_ratio: float = Field(0.5, ge=0)
    max_ratio: float = Field(3.0, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> VolumeBounds:
        if self.min_ratio > self.max_ratio:
            raise ValueError(f"min_ratio {self.min_ratio} exceeds max_ratio {self.max_ratio}")
        return self


class Volume(VolumeBounds):
    """Volume bounds of every source; `overrides` replaces them for the sources it names."""

    overrides: dict[str, VolumeBounds] = {}

    @field_validator("overrides")
    @classmethod
    def _known(cls, value: dict[str, VolumeBounds]) -> dict[str, VolumeBounds]:
        _known_sources(value, "quality.volume.overrides")
        return value

    def bounds(self, table: str) -> VolumeBounds:
        return self.overrides.get(table) or VolumeBounds(
            min_ratio=self.min_ratio, max_ratio=self.max_ratio
        )


class Distribution(_Strict):
    """When a watched share (data_quality/distribution.py) has shifted enough to warn."""

    recent_days: int = Field(7, ge=1, le=366)
    baseline_days: int = Field(90, ge=1, le=3660)
    min_shift_points: float = Field(15.0, gt=0, le=100)
    standard_errors: float = Field(3.0, ge=0)
    min_recent_rows: int = Field(20, ge=1)


class Quality(_Strict):
    """Data-quality thresholds (data_quality/): the share of failing rows above which a
    row-level check blocks publication (`data_quality.policy`), volume bounds, source
    cadences, shifts.

    `freshness` maps every source table to its expected cadence in hours (`36h`, or `4d` read
    as 96 hours)."""

    max_failing_row_share: float = Field(0.01, ge=0, le=1)
    volume: Volume = Volume()
    freshness: dict[str, Hours]
    distribution: Distribution = Distribution()

    @field_validator("freshness")
    @classmethod
    def _every_source(cls, value: dict[str, int]) -> dict[str, int]:
        _known_sources(value, "quality.freshness")
        missing = [t for t in SOURCE_TABLES if t not in value]
        if missing:
            raise ValueError(f"no cadence for source table(s) {', '.join(missing)}")
        return value


RULES = (
    "case_stuck",
    "promise_due_tomorrow",
    "promise_broken",
    "compliance_breach",
    "data_quality_blocking",
    "dso_above",
)
_RECIPIENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def _url_list(value: object) -> object:
    """One apprise URL or a list of them -> a list."""
    return [value] if isinstance(value, str) else value


class Rule(_Strict):
    enabled: bool = True


class DqRule(Rule):
    """`recipients`: recipient names; empty: the finance and audit lists."""

    recipients: list[str] = []


class DsoRule(Rule):
    """DSO (standard, days) of the latest closed month in `segment` above `threshold_days`."""

    threshold_days: float = Field(90.0, gt=0)
    segment: str = "all"


class AlertRules(_Strict):
    """The six rules (README "Alerts"), each enabled unless `enabled: false`."""

    case_stuck: Rule = Rule()
    promise_due_tomorrow: Rule = Rule()
    promise_broken: Rule = Rule()
    compliance_breach: Rule = Rule()
    data_quality_blocking: DqRule = DqRule()
    dso_above: DsoRule = DsoRule()


class Alerts(_Strict):
    """Alert rules and where their digests go (amicable/alerts.py; README "Alerts").

    `recipients` names each destination (the name, never the URL, is printed and recorded in
    `alerts.sent`) with one apprise URL or a list of them; `${VAR}` in a URL is read from the
    environment when the digest is sent, so a password need not sit in this file.
    `supervisors` maps an agent id to a recipient name: an alert about a case or promise goes
    to the entry of its agent, else of the agent's supervisor (`supervisor_id` in the agents
    feed), else `supervisor_fallback`. `finance` and `audit` are lists of recipient names."""

    send_after_build: bool = True
    recipients: dict[str, Annotated[list[str], BeforeValidator(_url_list)]] = {}
    supervisors: dict[str, str] = {}
    supervisor_fallback: str | None = None
    finance: list[str] = []
    audit: list[str] = []
    rules: AlertRules = AlertRules()

    @field_validator("recipients")
    @classmethod
    def _urls(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, urls in value.items():
            if not _RECIPIENT_NAME.match(name):
                raise ValueError(f"recipient name {name!r}: use letters, digits, `_`, `.` or `-`")
            if not urls:
                raise ValueError(f"recipient {name!r} has no URL")
            for url in urls:
                if not _URL.match(url):
                    raise ValueError(
                        f"recipient {name!r}: {url.split(':')[0]!r}... is not an apprise URL "
                        "(scheme://..., e.g. mailtos://user:${SMTP_PASSWORD}@host?to=a@b)"
                    )
        return value

    @model_validator(mode="after")
    def _known_names(self) -> Alerts:
        named = [
            *(("supervisors." + agent, name) for agent, name in self.supervisors.items()),
            ("supervisor_fallback", self.supervisor_fallback),
            *(("finance", name) for name in self.finance),
            *(("audit", name) for name in self.audit),
            *(
                ("rules.data_quality_blocking.recipients", name)
                for name in self.rules.data_quality_blocking.recipients
            ),
        ]
        for key, name in named:
            if name is not None and name not in self.recipients:
                known = ", ".join(sorted(self.recipients)) or "none"
                raise ValueError(f"{key}: unknown recipient {name!r} (recipients: {known})")
        return self


class SourceTableEntry(_Strict):
    """Where one source table lives in the source database (`ingestion.source_db`): `table`
    (`schema.table`, with the contract's column names: a view can rename) and `cursor`, the
    column that orders its changes (a change timestamp or an increasing id; null: no such
    column, the table is read whole and written when its content changed)."""

    table: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$")
    cursor: str | None = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_$]*$")


class SourceDatabase(_Strict):
    """PostgreSQL as a source (`amicable build --source-db URL`; README "Sources"): the tables
    of the case tool and the ERP, each with its cursor column, and how far before the last
    extracted timestamp each extraction reads again (rows committed late with an older
    timestamp; rows read again unchanged are not written again). `tables` replaces the default
    entry of each table it names (`ingestion.source_db.DEFAULT_TABLES`)."""

    lookback_minutes: int = Field(10, ge=0, le=10080)
    tables: dict[str, SourceTableEntry] = {}

    @field_validator("tables")
    @classmethod
    def _extracted(cls, value: dict[str, SourceTableEntry]) -> dict[str, SourceTableEntry]:
        unknown = sorted(set(value) - set(DEFAULT_TABLES))
        if unknown:
            raise ValueError(
                f"source table(s) {', '.join(unknown)} are not read from a database; "
                f"these are: {', '.join(DEFAULT_TABLES)}"
            )
        return value

    def specs(self) -> dict[str, SourceTableSpec]:
        """Every extracted table: the defaults, replaced by the entries of `tables`."""
        named = {n: SourceTableSpec(e.table, e.cursor) for n, e in self.tables.items()}
        return DEFAULT_TABLES | named


class Config(_Strict):
    reporting_currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    ageing: Ageing = Ageing()
    promises: Promises = Promises()
    stuck_cases: StuckCases
    cash_expected: CashExpected = CashExpected()
    channels: Channels = Channels()
    compliance: Compliance = Compliance()
    late_payment: LatePayment = LatePayment()
    quality: Quality
    alerts: Alerts = Alerts()
    source_database: SourceDatabase = SourceDatabase()

    def dbt_vars(self) -> dict:
        """The thresholds as dbt vars (nested mappings are read with `var('...')['key']`)."""
        return {
            "reporting_currency": self.reporting_currency,
            "ageing": self.ageing.model_dump(),
            "promises": self.promises.model_dump(),
            "stuck_cases": self.stuck_cases.model_dump(),
            "cash_expected": self.cash_expected.model_dump(),
            "channels": self.channels.model_dump(),
            "rule_packs": load_rule_packs(
                self.compliance.rule_packs_dir, self.compliance.holiday_years
            ),
            "late_payment": late_payment_var(
                self.late_payment.packs_dir, self.late_payment.creditor_jurisdiction
            ),
        }


def load_config(path: Path) -> Config:
    """The configuration in `path`, with its rule packs and late-payment packs checked (a bad
    pack stops the caller here, in one line)."""
    config = _read_config(path)
    try:
        config.dbt_vars()
    except (RulePackError, LatePaymentError) as exc:
        raise ConfigError(str(exc)) from None
    return config


@parsed_once
def _read_config(path: Path) -> Config:
    raw = read_yaml(path, "configuration", ConfigError)
    try:
        config = Config.model_validate(raw or {})
    except ValidationError as exc:
        loc, message = first_problem(exc)
        key = ".".join(str(part) for part in loc) or "(top level)"
        raise ConfigError(f"configuration {path}: {key}: {message}") from None
    packs = path.parent / config.compliance.rule_packs_dir
    compliance = config.compliance.model_copy(update={"rule_packs_dir": packs})
    late = path.parent / config.late_payment.packs_dir
    late_payment = config.late_payment.model_copy(update={"packs_dir": late})
    return config.model_copy(update={"compliance": compliance, "late_payment": late_payment})
