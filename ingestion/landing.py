"""What is in the landing zone: every file, the source that records it, and why it is not loaded.

A source file sits directly in its source's folder, matches the source's pattern (letter case
aside: `INVOICES_….CSV` is an invoices file) and carries its extraction time at the end of its
name, before the extension: `invoices_2026-11-20T0200.csv` (`_YYYY-MM-DDTHHMM`, UTC, DESIGN.md
§3). That timestamp, not the name, orders the versions of a record (`_extracted_at` in raw).

Everything else in the landing zone is accounted for too, by the source whose files it most
resembles, with the reason it was not loaded: a source file without a real extraction timestamp,
a file matching no source pattern (`erp/invoices.csv`), a file outside the source folders or in a
sub-folder, a folder named like a source file. Only top-level entries whose name starts with `_`
or `.` are not part of the landing zone (tools' own files, such as the sample's `_labels/`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ingestion.contracts import SOURCES, SourceTable

STAMP_FORMAT = "%Y-%m-%dT%H%M"
# The extraction timestamp at the end of a file name; the same pattern backfills `_extracted_at`
# from `_source_file` in warehouses loaded before the column existed (`ingestion.load`).
STAMP_PATTERN = r"_(\d{4}-\d{2}-\d{2}[Tt]\d{4})\.[A-Za-z0-9]+$"
_STAMP = re.compile(STAMP_PATTERN)
FORMAT_EXTENSIONS = {
    "csv": (".csv",),
    "jsonl": (".jsonl",),
    "camt053": (".xml",),
    "mt940": (".sta", ".mt940"),
}


class LandingError(Exception):
    """The landing zone cannot be read at all (one-line message for the user)."""


@dataclass(frozen=True)
class LandingFile:
    path: Path
    rel: str  # path relative to the landing zone, with `/`
    source: SourceTable  # the source that loads it, or records why it is not loaded
    extracted_at: datetime | None
    problem: str | None = None  # why the file is not loaded (a `file rejected: ...` reason)

    @property
    def fmt(self) -> str:
        """The format its extension names among the source's formats (the source's main
        format when none does): which reader reads it."""
        lower = self.path.name.lower()
        formats = [fmt for _, fmt in self.source.patterns]
        return next((f for f in formats if lower.endswith(FORMAT_EXTENSIONS[f])), self.source.fmt)

    @property
    def readable_as_source(self) -> bool:
        """Whether its rows can be read with the source's reader (to count and quarantine them
        when the file is not loaded): a file, with the extension of one of the source's
        formats."""
        lower = self.path.name.lower()
        return not self.path.is_dir() and lower.endswith(FORMAT_EXTENSIONS[self.fmt])


def extracted_at(name: str) -> datetime | None:
    """The extraction timestamp in a file name, or None when it has none (or not a real one)."""
    found = _STAMP.search(name)
    if found is None:
        return None
    try:
        return datetime.strptime(found.group(1).upper(), STAMP_FORMAT)
    except ValueError:
        return None


def expected_name(source: SourceTable, name: str = "") -> str:
    """The name a file of `source` must have; for a source of several formats, in the format
    `name`'s extension names (else the main one)."""
    lower = name.lower()
    pattern = next(
        (p for p, fmt in source.patterns if lower.endswith(FORMAT_EXTENSIONS[fmt])),
        source.pattern,
    )
    stem, _, ext = pattern.partition("*")
    return f"{source.folder}/{stem}{'<name>_' if not stem else ''}YYYY-MM-DDTHHMM{ext}"


def _matches(name: str, source: SourceTable) -> bool:
    return source.format_of(name) is not None


def _resembles(name: str, folder_sources: list[SourceTable]) -> SourceTable | None:
    """The source of the folder whose file-name stem `name` starts with (longest stem first)."""
    lower = name.lower()
    by_stem = sorted(folder_sources, key=lambda s: -len(s.pattern.split("*")[0]))
    for source in by_stem:
        stem = source.pattern.split("*")[0].rstrip("_")
        ext = source.pattern.rsplit("*", 1)[-1]
        if stem and lower.startswith(stem) or not stem and lower.endswith(ext):
            return source
    return None


def classify(landing: Path, path: Path) -> LandingFile:
    """The source recording `path` (a file or folder under `landing`) and why it is not loaded."""
    rel = path.relative_to(landing).as_posix()
    parts = rel.split("/")
    folder_sources = [s for s in SOURCES if s.folder == parts[0]] if len(parts) > 1 else []
    name = parts[-1]
    stamp = extracted_at(name)
    if not folder_sources:
        folders = ", ".join(dict.fromkeys(f"{s.folder}/" for s in SOURCES))
        reason = f"file rejected: not in a source folder ({folders})"
        return LandingFile(path, rel, SOURCES[0], stamp, reason)
    owner = next((s for s in folder_sources if _matches(name, s)), None)
    if owner is None:
        owner = _resembles(name, folder_sources) or folder_sources[0]
        patterns = ", ".join(f"{s.folder}/{p}" for s in folder_sources for p, _ in s.patterns)
        reason = f"file rejected: its name matches no source file pattern ({patterns})"
        return LandingFile(path, rel, owner, stamp, reason)
    if len(parts) > 2:
        reason = (
            f"file rejected: in a sub-folder of {parts[0]}/ (source files sit directly in "
            "their source folder)"
        )
        return LandingFile(path, rel, owner, stamp, reason)
    if path.is_dir():
        return LandingFile(path, rel, owner, stamp, "file rejected: a folder, not a file")
    if stamp is None:
        reason = (
            "file rejected: no extraction timestamp at the end of its name (expected "
            f"{expected_name(owner, name)}); the timestamp orders corrections between files"
        )
        return LandingFile(path, rel, owner, None, reason)
    return LandingFile(path, rel, owner, stamp)


def check_landing(landing: Path) -> None:
    if not landing.is_dir():
        raise LandingError(f"landing folder {landing} does not exist or is not a folder")


def landing_files(landing: Path) -> list[LandingFile]:
    """Every file of the landing zone (and every folder named like a source file), classified,
    in path order. Links are not followed into folders; a broken link is a file."""
    check_landing(landing)
    found: list[LandingFile] = []
    for top, dirs, files in os.walk(landing):
        here = Path(top)
        if here == landing:
            dirs[:] = [d for d in dirs if not d.startswith(("_", "."))]
            files = [f for f in files if not f.startswith(("_", "."))]
        dirs.sort()
        for name in dirs:
            entry = classify(landing, here / name)
            if entry.problem == "file rejected: a folder, not a file":
                found.append(entry)
        found.extend(classify(landing, here / name) for name in files)
    return sorted(found, key=lambda f: f.rel)


def source_files(landing: Path, source: SourceTable) -> list[LandingFile]:
    """The landing-zone entries `source` loads or records, in path order."""
    return [f for f in landing_files(landing) if f.source.name == source.name]
