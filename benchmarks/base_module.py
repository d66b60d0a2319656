"""A module of this repository as another commit has it, imported beside the current one, so a
benchmark can time both in one process (`jsonl_reader.py`, `sql_check_cpu.py`)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]


def git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(REPO), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def module_at(ref: str, path: str, folder: Path) -> ModuleType:
    """`path` (relative to the repository, e.g. `ingestion/readers.py`) at commit `ref`,
    written under `folder` and imported as a module of its own (`<stem>_base`); it imports
    the rest of the repository as this checkout has it."""
    name = f"{Path(path).stem}_base"
    file = folder / f"{name}.py"
    file.write_text(git("show", f"{ref}:{path}") + "\n")
    spec = importlib.util.spec_from_file_location(name, file)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
