"""Business thresholds: loaded from one YAML file (`config/amicable.yml`), validated on load.

Paths and run options live in `amicable.settings`; thresholds that shape figures (promise grace
days, stuck-case SLAs...) live in the YAML file and reach dbt as vars.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError


class ConfigError(Exception):
    """The configuration file is missing or invalid (one line, names file and key)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Promises(_Strict):
    grace_days: int = Field(3, ge=0, le=60)
    tolerance_pct: float = Field(1.0, ge=0, le=100)
    tolerance_units: float = Field(1.0, ge=0)


class StuckCases(_Strict):
    stage_sla_days: dict[str, int]
    no_contact_days: dict[str, int]
    broken_promise_follow_up_days: int = Field(3, ge=0)


class Config(_Strict):
    reporting_currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    promises: Promises = Promises()
    stuck_cases: StuckCases

    def dbt_vars(self) -> dict:
        """The thresholds as dbt vars (nested mappings are read with `var('...')['key']`)."""
        return {
            "reporting_currency": self.reporting_currency,
            "promises": self.promises.model_dump(),
            "stuck_cases": self.stuck_cases.model_dump(),
        }


def load_config(path: Path) -> Config:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"configuration {path}: cannot read it ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise ConfigError(f"configuration {path}: not valid YAML ({detail})") from None
    try:
        return Config.model_validate(raw or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"configuration {path}: {key}: {first['msg']}") from None
