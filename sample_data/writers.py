"""File writers: CSV and JSON-lines tables split over extraction files, and the bank spool.

Rows stream to open files as the simulation runs; nothing is held per table. Each write returns
the file (relative to the output folder) and the row number ingestion will report: the physical
line for CSV (the header is line 1) and the line for JSON lines.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO

from ingestion.contracts import SOURCES_BY_NAME
from sample_data.days import DAY, stamp


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
        self.final = self.rel[-1]  # the last extraction file, where late rows go

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


class DailySink(TableSink):
    """One source table written to one file per nightly extraction: a row changed at moment
    `when` is in the extraction at 02:00 after it (the file of day D holds [D-1 02:00, D 02:00)),
    rows from before the history in the first one (`first`), late rows in the last (`last`).
    Days without rows have no file. Rows are buffered per file and appended in blocks, so a
    history of hundreds of days needs neither hundreds of open files nor the rows in memory."""

    BLOCK = 256  # rows buffered per file before they are appended to it

    def __init__(self, out: Path, table: str, first: date, last: date) -> None:
        source = SOURCES_BY_NAME[table]
        self.out, self.table, self.columns = out, table, source.columns
        self.csv = source.fmt == "csv"
        self.stem = f"{source.folder}/{source.pattern.split('*')[0]}"
        self.ext = "csv" if self.csv else "jsonl"
        self.first, self.last = first, last
        (out / source.folder).mkdir(parents=True, exist_ok=True)
        self.rel: list[str] = []
        self.lines: list[int] = []
        self.buffers: list[list[str]] = []
        self.handles: list = []  # one _Appender per file, writing to its buffer
        self.writers: list = []
        self.by_day: dict[date, int] = {}
        self.final = self._rel(last)

    def _rel(self, day: date) -> str:
        return f"{self.stem}{stamp(datetime.combine(day, time(2)))}.{self.ext}"

    def _index(self, when: datetime | None, late: bool) -> int:
        if late:
            day = self.last
        elif when is None:
            day = self.first
        else:
            day = when.date() if when.hour < 2 else when.date() + DAY
            day = self.first if day < self.first else self.last if day > self.last else day
        i = self.by_day.get(day)
        if i is None:
            i = self.by_day[day] = len(self.rel)
            self.rel.append(self._rel(day))
            buffer: list[str] = []
            self.buffers.append(buffer)
            self.handles.append(_Appender(buffer))
            (self.out / self.rel[i]).write_text("", encoding="utf-8")
            if self.csv:
                writer = csv.writer(self.handles[i], lineterminator="\n")
                writer.writerow(self.columns)
                self.writers.append(writer)
            else:
                self.writers.append(None)
            self.lines.append(1 if self.csv else 0)
        elif len(self.buffers[i]) >= self.BLOCK:
            self._flush(i)
        return i

    def _flush(self, i: int) -> None:
        buffer = self.buffers[i]
        if buffer:
            with (self.out / self.rel[i]).open("a", encoding="utf-8", newline="") as fh:
                fh.write("".join(buffer))
            buffer.clear()

    def close(self) -> None:
        for i in range(len(self.rel)):
            self._flush(i)


class _Appender:
    """A file-like object collecting what is written to it in a list."""

    def __init__(self, buffer: list[str]) -> None:
        self.write = buffer.append


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
