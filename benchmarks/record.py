"""Where benchmark scripts record their results: `benchmarks/results/<name>.md`."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def record(name: str, lines: list[str]) -> Path:
    """Write `lines` to `results/<name>.md`, print them and where they went."""
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{name}.md"
    out.write_text("\n".join(lines))
    print("\n".join(lines))
    print(f"written to {out}")
    return out
