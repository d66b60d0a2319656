"""One line per build step as it happens, so a long build never looks hung.

Steps report through the `amicable.progress` logger (`step`); `amicable build` shows those
lines on the terminal with the time elapsed since the build started (`to_terminal`), while the
full Dagster and dbt log goes to the build log file. Runs started elsewhere (`dagster dev`,
tests) attach no handler and print nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

LOGGER = logging.getLogger("amicable.progress")
LOGGER.propagate = False


def step(message: str) -> None:
    LOGGER.info(message)


class _Elapsed(logging.Formatter):
    def __init__(self) -> None:
        super().__init__()
        self.started = time.monotonic()

    def format(self, record: logging.LogRecord) -> str:
        seconds = int(time.monotonic() - self.started)
        return f"[{seconds // 60:02d}:{seconds % 60:02d}] {record.getMessage()}"


@contextmanager
def to_terminal(stream: TextIO) -> Iterator[None]:
    """Write progress lines to `stream` (kept even if sys.stderr is redirected meanwhile)."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_Elapsed())
    LOGGER.addHandler(handler)
    level = LOGGER.level
    LOGGER.setLevel(logging.INFO)
    try:
        yield
    finally:
        LOGGER.removeHandler(handler)
        LOGGER.setLevel(level)
