"""Seeded simulator of a collections business writing a sample landing zone (DESIGN.md §3).

    from sample_data import generate, SIZES
    summary = generate(Path("data/landing"), size="demo", seed=7, as_of=date(2026, 11, 20))

Labels of everything planted for tests (defects, duplicates, corrections, promise outcomes) go
to `<out>/_labels/`, outside the source folders.
"""

from sample_data.generator import SIZES, Size, Summary, generate

__all__ = ["SIZES", "Size", "Summary", "generate"]
