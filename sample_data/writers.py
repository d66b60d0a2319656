"""File writers: CSV and JSON-lines tables split over extraction files, and the bank spool.

Rows stream to open files as the simulation runs; nothing is held per table. Each write returns
the file (relative to the output folder) and the row number ingestion will report: the physical
line for CSV (the header is line 1) and the line for JSON lines.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO

from ingestion.contracts import SOURCES_BY_NAME


class TableSink:
    """One source table written to one or two extraction files; rows dated before `cutoff` go
    to the first, later ones (and anything forced `late`) to the last."""

    def __init__(self, out: Path, table: str, stamps: list[str], cutoff: datetime | None) -> None:
        source = SOURCES_BY_NAME[table]
        self.table, self.columns, self.cutoff = table, source.columns, cutoff
        self.csv = source.fmt == "csv"
        stem = source.pattern.split("*")[0]
        ext = "csv" if self.csv else "jsonl"
        self.rel = [f"{source.folder}/{stem}{s}.{ext}" for s in stamps]
        self.handles: list[IO[str]] = []
        self.writers: list = []
        for rel in self.rel:
            path = out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = path.open("w", encoding="utf-8", newline="")
            self.handles.append(fh)
            if self.csv:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow(self.columns)
                self.writers.append(writer)
        self.lines = [1 if self.csv else 0 for _ in self.rel]

    def _index(self, when: datetime | None, late: bool) -> int:
        if late or (self.cutoff is not None and when is not None and when >= self.cutoff):
            return len(self.rel) - 1
        return 0

    def write(self, row: dict, when: datetime | None = None, late: bool = False) -> tuple[str, int]:
        i = self._index(when, late)
        if self.csv:
            self.writers[i].writerow(["" if row.get(c) is None else row[c] for c in self.columns])
        else:
            self.handles[i].write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
        self.lines[i] += 1
        return self.rel[i], self.lines[i]

    def write_raw(
        self, text: str, when: datetime | None = None, late: bool = False
    ) -> tuple[str, int]:
        """A line exactly as given (for lines that are not JSON at all)."""
        i = self._index(when, late)
        self.handles[i].write(text + "\n")
        self.lines[i] += 1
        return self.rel[i], self.lines[i]

    def counts(self) -> dict[str, int]:
        header = 1 if self.csv else 0
        return {rel: n - header for rel, n in zip(self.rel, self.lines, strict=True)}

    def close(self) -> None:
        for fh in self.handles:
            fh.close()


@dataclass(frozen=True)
class SpoolEntry:
    """A bank entry waiting for its monthly statement. `bad_amount` replaces the amount text
    (a planted defect)."""

    booking: date
    value: date
    entry_ref: str
    credit: bool
    cents: int
    name: str | None = None
    iban: str | None = None
    account_no: str | None = None
    remittance: str | None = None
    bad_amount: str | None = None

    def line(self) -> str:
        fields = [
            self.booking.isoformat(),
            self.value.isoformat(),
            self.entry_ref,
            "C" if self.credit else "D",
            str(self.cents),
            self.name or "",
            self.iban or "",
            self.account_no or "",
            self.remittance or "",
            self.bad_amount or "",
        ]
        return "\t".join(f.replace("\t", " ").replace("\n", " ") for f in fields) + "\n"

    @classmethod
    def parse(cls, line: str) -> SpoolEntry:
        f = line.rstrip("\n").split("\t")
        return cls(
            booking=date.fromisoformat(f[0]),
            value=date.fromisoformat(f[1]),
            entry_ref=f[2],
            credit=f[3] == "C",
            cents=int(f[4]),
            name=f[5] or None,
            iban=f[6] or None,
            account_no=f[7] or None,
            remittance=f[8] or None,
            bad_amount=f[9] or None,
        )


class BankSpool:
    """Bank entries appended to one temporary file per (currency, month) while debtors stream
    by; each month is read back, sorted and written as one camt.053 statement at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.handles: dict[tuple[str, str], IO[str]] = {}

    def add(self, currency: str, entry: SpoolEntry) -> None:
        key = (currency, entry.booking.strftime("%Y-%m"))
        fh = self.handles.get(key)
        if fh is None:
            fh = self.handles[key] = (self.folder / f"{key[0]}_{key[1]}.tsv").open(
                "w", encoding="utf-8"
            )
        fh.write(entry.line())

    def close(self) -> None:
        for fh in self.handles.values():
            fh.close()
        self.handles.clear()

    def month(self, currency: str, month: str) -> list[SpoolEntry]:
        path = self.folder / f"{currency}_{month}.tsv"
        if not path.exists():
            return []
        with path.open(encoding="utf-8") as fh:
            return [SpoolEntry.parse(line) for line in fh]


def write_bad_header_csv(out: Path, rel: str, header: list[str], rows: list[list[str]]) -> None:
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
