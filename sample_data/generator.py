"""`generate`: write a seeded sample landing zone and its labels.

The same (size, seed, as_of) always writes byte-identical files: every random draw comes from
generators seeded by `seed` (one per debtor, so debtors stream one at a time), and file names
derive from as_of, never from the wall clock.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from random import Random

from amicable.config import Config, load_config
from amicable.settings import DEFAULT_CONFIG, today
from ingestion.contracts import SOURCES_BY_NAME
from sample_data.breaches import Slips, retention_years
from sample_data.camt import write_statements
from sample_data.days import DAY, Clock, stamp
from sample_data.defects import Planter
from sample_data.emit import emit_debtor
from sample_data.fx import write_fx
from sample_data.near_misses import NEAR_RULES
from sample_data.profiles import AGENCY, STANDARD, Profile
from sample_data.rows import agent_row
from sample_data.simulate import simulate_debtor, simulate_former_debtor
from sample_data.world import FORCED, AgentPool, make_agents
from sample_data.writers import BankSpool, DailySink, TableSink

GENERATOR = "amicable.sample_data"
OWNED = ("erp", "cases", "contacts", "fx", "bank", "_labels")
LABEL_FILES = ("promises", "breaches", "near_misses", "stuck_cases")  # `_labels/<name>.jsonl`
SPLIT_TABLES = (
    "erp_customers",
    "erp_invoices",
    "erp_payment_allocations",
    "cases_cases",
    "cases_case_events",
    "contacts_calls",
    "contacts_messages",
)


@dataclass(frozen=True)
class Size:
    debtors: int
    agents_per_team: int
    profile: Profile = STANDARD  # the debtor mix and the dialer's effort (profiles.py)
    daily: bool = False  # one file per source and nightly extraction, else two extractions


SIZES: dict[str, Size] = {
    "tiny": Size(debtors=40, agents_per_team=3),  # ~300 invoices, for tests
    "demo": Size(debtors=480, agents_per_team=6),  # ~4,000 invoices
    "large": Size(debtors=118_000, agents_per_team=100),  # ~1M invoices
    # a collections agency's book, day by day: ~1.2M invoices, ~1M payments, ~10M contacts
    "xl": Size(debtors=240_000, agents_per_team=250, profile=AGENCY, daily=True),
}


@dataclass(frozen=True)
class Summary:
    out: Path
    size: str
    seed: int
    as_of: date
    rows: dict[str, int] = field(default_factory=dict)  # data rows (bank: entries) per file
    defects: int = 0  # planted rows ingestion must quarantine or reject
    anomalies: int = 0  # planted duplicates and late corrections
    promises: int = 0
    breaches: int = 0  # planted compliance breaches (`_labels/breaches.jsonl`)
    near_misses: int = 0  # planted near misses, never to flag (`_labels/near_misses.jsonl`)

    def __str__(self) -> str:
        total = sum(self.rows.values())
        return (
            f"{self.size} sample (seed {self.seed}, as of {self.as_of}): {len(self.rows)} files, "
            f"{total} rows, {self.defects} planted defects, {self.anomalies} duplicates and "
            f"corrections, {self.promises} promises, {self.breaches} compliance breaches "
            f"({self.near_misses} near misses); "
            f"labels in {self.out / '_labels'}"
        )


def _prepare(out: Path) -> None:
    """Refuse a folder that holds anything but a previous output; clear a previous output."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"output path {out} exists and is not a folder")
    if out.exists() and any(out.iterdir()):
        marker = out / "_labels" / "summary.json"
        try:
            ours = json.loads(marker.read_text(encoding="utf-8")).get("generator") == GENERATOR
        except (OSError, ValueError, AttributeError):
            ours = False
        if not ours:
            raise ValueError(
                f"output folder {out} is not empty and was not written by the sample "
                "generator; choose an empty or new folder"
            )
        for name in OWNED:
            shutil.rmtree(out / name, ignore_errors=True)
    (out / "_labels").mkdir(parents=True, exist_ok=True)


def _write_json(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def generate(
    out: Path,
    size: str = "demo",
    seed: int = 7,
    as_of: date | None = None,
    config: Config | None = None,
    debtors: int | None = None,
    daily: bool | None = None,
) -> Summary:
    """Write the sample landing zone for `size` into `out` (history ending at `as_of`,
    default today) with its labels in `out/_labels`. Promise and stuck-case labels use the
    thresholds of `config` (default: the shipped config/amicable.yml). `debtors` replaces the
    size's number of debtors (volumes scale with it; the profile and file pattern stay).
    `daily` replaces the size's file pattern: one file per source and night (replayable day
    by day), or two extractions a week apart."""
    config = config or load_config(DEFAULT_CONFIG)
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}: choose one of {', '.join(SIZES)}")
    spec = SIZES[size]
    if debtors is not None:
        if debtors < len(FORCED):
            raise ValueError(f"a sample needs at least {len(FORCED)} debtors, got {debtors}")
        spec = replace(spec, debtors=debtors)
    if daily is not None:
        spec = replace(spec, daily=daily)
    as_of = as_of or today()
    out = Path(out)
    _prepare(out)
    marker = {"generator": GENERATOR, "complete": False}
    _write_json(out / "_labels" / "summary.json", marker)
    clock = Clock.of(as_of)
    years = retention_years(config.dbt_vars()["rule_packs"])
    agents = make_agents(spec.agents_per_team, clock, seed)
    pool = AgentPool(agents)
    planter = Planter(clock, seed)
    sinks = _sinks(out, clock, spec.daily)
    rows: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="amicable-bank-") as tmp:
        spool = BankSpool(Path(tmp))
        slips = Slips()
        near_misses = Slips(NEAR_RULES, Random(seed * 7_927 + 3))
        try:
            with contextlib.ExitStack() as stack:
                labels = {
                    name: stack.enter_context(
                        (out / "_labels" / f"{name}.jsonl").open("w", encoding="utf-8")
                    )
                    for name in LABEL_FILES
                }
                for agent in agents:
                    sinks["cases_agents"].write(agent_row(agent))
                for idx in range(spec.debtors):
                    result = simulate_debtor(
                        idx, seed, clock, pool, slips, near_misses, spec.profile
                    )
                    emit_debtor(result, sinks, spool, planter, clock, labels, config)
                    planter.plant(result, sinks, spool)
                if years is not None:  # ANY-RETENTION's host, free of planted defects
                    former = simulate_former_debtor(spec.debtors, seed, clock, pool, years)
                    emit_debtor(former, sinks, spool, planter, clock, labels, config)
        finally:
            for sink in sinks.values():
                sink.close()
            spool.close()
        for sink in sinks.values():
            rows |= sink.counts()
        rows |= write_fx(out, clock, seed, planter, daily=spec.daily)
        bank_rows, flagged = write_statements(out, spool, clock, seed)
        rows |= bank_rows
    planter.bank_planted(flagged)
    rel, n = planter.bad_header_file(out)
    rows[rel] = n
    missing = planter.missing()
    if missing:
        raise RuntimeError(f"the {size} world could not host these planted defects: {missing}")
    with (out / "_labels" / "defects.jsonl").open("w", encoding="utf-8") as fh:
        for label in planter.labels:
            fh.write(json.dumps(label, ensure_ascii=False, separators=(",", ":")) + "\n")
    n_promises = _count_lines(out / "_labels" / "promises.jsonl")
    broken = sum(1 for lb in planter.labels if lb["expect"] in ("quarantine", "reject_file"))
    summary = Summary(
        out=out,
        size=size,
        seed=seed,
        as_of=as_of,
        rows=dict(sorted(rows.items())),
        defects=broken,
        anomalies=len(planter.labels) - broken,
        promises=n_promises,
        breaches=_count_lines(out / "_labels" / "breaches.jsonl"),
        near_misses=_count_lines(out / "_labels" / "near_misses.jsonl"),
    )
    _write_json(
        out / "_labels" / "summary.json",
        {
            "generator": GENERATOR,
            "complete": True,
            "size": size,
            **({"debtors": debtors} if debtors is not None else {}),
            **({"daily": daily} if daily is not None else {}),
            "seed": seed,
            "as_of": as_of.isoformat(),
            "rows": summary.rows,
            "defects": summary.defects,
            "anomalies": summary.anomalies,
            "promises": summary.promises,
            "breaches": summary.breaches,
            "near_misses": summary.near_misses,
            "tables": {rel: _table_of(rel) for rel in summary.rows},
        },
    )
    return summary


def _sinks(out: Path, clock: Clock, daily: bool) -> dict[str, TableSink]:
    """The split tables' writers: two extractions (a week apart, the last at as_of), or one
    per night from the day after the history starts to as_of (agents: the first night)."""
    if daily:
        first = clock.start + DAY
        sinks = {t: DailySink(out, t, first, clock.as_of) for t in SPLIT_TABLES}
        sinks["cases_agents"] = DailySink(out, "cases_agents", first, clock.as_of)
        return sinks
    stamps = [stamp(clock.e1), stamp(clock.e2)]
    sinks = {t: TableSink(out, t, stamps, clock.e1) for t in SPLIT_TABLES}
    sinks["cases_agents"] = TableSink(out, "cases_agents", stamps[1:], None)
    return sinks


def _count_lines(path: Path) -> int:
    with path.open(encoding="utf-8") as fh:
        return sum(1 for _ in fh)


def _table_of(rel: str) -> str:
    folder, name = rel.split("/", 1)
    for source in SOURCES_BY_NAME.values():
        prefix = source.pattern.split("*")[0]
        if source.folder == folder and name.startswith(prefix):
            return source.name
    return ""
