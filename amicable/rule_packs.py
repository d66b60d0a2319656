"""Compliance rule packs (DESIGN.md §5): one YAML file per jurisdiction, validated on load.

A pack names the case jurisdictions it governs and lists rules; each rule has an id, a kind, a
segment scope, a legal reference and the parameters of its kind. dbt receives every pack as
one var (`rule_packs`, JSON) and generates one query per rule from the rule's kind
(`macros/compliance_*.sql`), so a new rule of an existing kind is a YAML change only.

`default.yml` (`default: true`) governs the jurisdictions it lists that have no pack of their
own. A rule with `jurisdictions: all` applies to every case, whatever its pack, except the
jurisdictions in its `except_jurisdictions`. Public holidays
for `quiet_hours` rules are generated here with the `holidays` package, per jurisdiction and for
the configured years, and shipped in the var (dbt stays free of calendar logic).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Literal, get_args

import holidays as holiday_calendars
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from amicable.yaml_files import first_problem, parsed_once, read_yaml

Kind = Literal[
    "frequency_window", "quiet_hours", "blocking_event", "required_before", "forbidden_event",
    "retention",
]  # fmt: skip
Clock = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$")]
Channel = Literal["call", "email", "sms", "letter", "registered_letter", "portal"]
CHANNELS = frozenset(get_args(Channel))
HOLIDAY_COUNTRY = {"UK": "GB"}  # jurisdiction code -> `holidays` country code, when they differ


class RulePackError(Exception):
    """A rule pack is missing or invalid (one line, names file and key)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FrequencyWindow(_Strict):
    """More than `max_attempts` outbound calls of a case in `window_days` consecutive local
    days; or (`after_conversation`) an outbound call within `window_days` after a right-party
    conversation, the conversation's day counting as day 1."""

    window_days: int = Field(ge=1, le=366)
    max_attempts: int | None = Field(None, ge=1)
    after_conversation: bool = False

    @model_validator(mode="after")
    def _one_mode(self) -> FrequencyWindow:
        if (self.max_attempts is None) == (not self.after_conversation):
            raise ValueError("set exactly one of max_attempts or after_conversation: true")
        return self


class QuietHours(_Strict):
    """Outbound contact before `start` or after `end`, debtor's local time (both allowed)."""

    start: Clock
    end: Clock
    no_sundays: bool = False
    no_public_holidays: bool = False
    channels: list[Channel] = Field(default_factory=lambda: ["call", "sms", "email"])


class BlockingEvent(_Strict):
    """Outbound contact after `start_event` (and before the matching `end_event`, paired on
    `pair_key`), unless a message with one of `allowed_templates`."""

    start_event: str
    end_event: str | None = None
    pair_key: str | None = None
    allowed_templates: list[str] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=lambda: sorted(CHANNELS))


class RequiredBefore(_Strict):
    """Each step needs an outbound message with `required_template` sent on one of
    `required_channels` (a message with that template on another channel is a step, not the
    required one) >= `min_days_before` days before it (0: at or before it) or, with
    `max_days_after`, at the latest that many days after it; days are the debtor's local
    calendar days. `steps`: `outbound_contact` (every outbound contact but the required message),
    `first_contact` (the case's first contact, either direction) and event types."""

    steps: list[str] = Field(min_length=1)
    required_template: str
    required_channels: list[Channel] = Field(
        default_factory=lambda: ["letter", "registered_letter"], min_length=1
    )
    min_days_before: int | None = Field(None, ge=0)
    max_days_after: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _one_bound(self) -> RequiredBefore:
        if (self.min_days_before is None) == (self.max_days_after is None):
            raise ValueError("set exactly one of min_days_before or max_days_after")
        return self


class ForbiddenEvent(_Strict):
    """An event of `event_type` (while the case is amicable: before any litigation referral)."""

    event_type: str
    only_while_amicable: bool = True


class Retention(_Strict):
    """Personal data still held for a case closed more than `years` years before as_of."""

    years: int = Field(ge=1, le=100)


PARAMS: dict[str, type[_Strict]] = {
    "frequency_window": FrequencyWindow,
    "quiet_hours": QuietHours,
    "blocking_event": BlockingEvent,
    "required_before": RequiredBefore,
    "forbidden_event": ForbiddenEvent,
    "retention": Retention,
}


class Rule(_Strict):
    id: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]*$")
    kind: Kind
    scope: Literal["B2C", "B2B", "all"]
    legal_reference: str = Field(min_length=1)
    jurisdictions: Literal["pack", "all"] = "pack"
    except_jurisdictions: list[str] = Field(default_factory=list)
    params: dict


class Pack(_Strict):
    jurisdictions: list[Annotated[str, Field(pattern=r"^[A-Z]{2,3}$")]] = Field(min_length=1)
    default: bool = False
    source: str = Field(min_length=1)
    rules: list[Rule]


@parsed_once
def _parse(path: Path) -> Pack:
    raw = read_yaml(path, "rule pack", RulePackError)
    try:
        pack = Pack.model_validate(raw or {})
    except ValidationError as exc:
        raise RulePackError(_message(path, exc, _key(raw, exc.errors()[0]["loc"]))) from None
    for rule in pack.rules:
        try:
            PARAMS[rule.kind].model_validate(rule.params)
        except ValidationError as exc:
            where = ["rules", rule.id, "params", *map(str, exc.errors()[0]["loc"])]
            raise RulePackError(_message(path, exc, where)) from None
    return pack


def _message(path: Path, exc: ValidationError, key: list[str]) -> str:
    return f"rule pack {path}: {'.'.join(key)}: {first_problem(exc)[1]}"


def _key(raw: object, loc: tuple) -> list[str]:
    """Error location with rule ids instead of list positions (`rules.US-7IN7.params`)."""
    parts, node = [], raw
    for part in loc:
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            rule_id = node.get("id") if isinstance(node, dict) else None
            parts.append(str(rule_id or part))
        else:
            node = node.get(part) if isinstance(node, dict) else None
            parts.append(str(part))
    return parts


def load_rule_packs(directory: Path, years: tuple[int, int]) -> dict:
    """Every `*.yml` pack of `directory`, checked together, as the dbt var `rule_packs`:
    {jurisdictions: {code: pack}, rules: [...], holidays: {jurisdiction: [ISO dates]}}."""
    files = sorted(directory.glob("*.yml"))
    if not files:
        raise RulePackError(f"rule packs {directory}: no *.yml pack found")
    owner: dict[str, str] = {}
    rules: list[dict] = []
    holidays: dict[str, list[str]] = {}
    seen: dict[str, Path] = {}
    defaults = [path for path in files if _parse(path).default]
    if len(defaults) > 1:
        raise RulePackError(f"rule packs {directory}: default: true in {len(defaults)} packs")
    for path in files:
        pack = _parse(path)
        name = path.stem
        for code in pack.jurisdictions:
            if code in owner:
                raise RulePackError(
                    f"rule pack {path}: jurisdictions: {code} is already in {owner[code]}.yml"
                )
            owner[code] = name
        for rule in pack.rules:
            if rule.id in seen:
                other = seen[rule.id]
                raise RulePackError(f"rule pack {path}: rules.{rule.id}: id also in {other}")
            seen[rule.id] = path
            params = PARAMS[rule.kind].model_validate(rule.params).model_dump()
            if rule.kind == "quiet_hours" and params["no_public_holidays"]:
                for code in _codes(pack, rule, files):
                    holidays[code] = _holidays(path, rule.id, code, years)
            rules.append(
                {
                    "id": rule.id,
                    "kind": rule.kind,
                    "pack": name,
                    "segments": ["B2C", "B2B"] if rule.scope == "all" else [rule.scope],
                    "jurisdictions": None if rule.jurisdictions == "all" else pack.jurisdictions,
                    "except_jurisdictions": rule.except_jurisdictions,
                    "legal_reference": rule.legal_reference,
                    "params": params,
                }
            )
    return {"jurisdictions": owner, "rules": rules, "holidays": holidays}


def _codes(pack: Pack, rule: Rule, files: list[Path]) -> list[str]:
    """Jurisdictions a rule governs among those the packs list."""
    codes = pack.jurisdictions
    if rule.jurisdictions == "all":
        codes = [code for path in files for code in _parse(path).jurisdictions]
    return [code for code in codes if code not in rule.except_jurisdictions]


def _holidays(path: Path, rule_id: str, code: str, years: tuple[int, int]) -> list[str]:
    country = HOLIDAY_COUNTRY.get(code, code)
    try:
        calendar = holiday_calendars.country_holidays(country, years=range(years[0], years[1] + 1))
    except NotImplementedError:
        raise RulePackError(
            f"rule pack {path}: rules.{rule_id}.params.no_public_holidays: "
            f"no public holiday calendar for jurisdiction {code}"
        ) from None
    return sorted(day.isoformat() for day in calendar if isinstance(day, date))
