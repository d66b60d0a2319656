"""Honest evaluation of the case scores (issue 19) on a generated sample, recorded.

    uv run python benchmarks/score_evaluation.py [--size demo] [--debtors N] [--warehouse FILE]
        [--isotonic-from ROWS]

Generates the sample (seed 7, `--daily`, as of 2026-11-20) and builds it through the real CLI in
a temporary folder, unless `--warehouse` names a warehouse already built from it; then trains
each score exactly as `amicable scores train` does (amicable.scores.training: time-based split,
choice by measurement on the calibration slice, calibration) without storing anything, and
writes to `benchmarks/results/scores_<size>.md` (`scores_<size>_<N>_debtors.md` with
`--debtors N`, the generator's option), on the held-out later period: ROC AUC and
Brier score of every score in amicable.scores.spec.SCORES and of the baselines
(amicable.scores.training.BASELINES: the debtor's own paid-on-time share; the debtor's own kept
rate of promises; days past due alone, each made a probability by a one-feature logistic
regression on the earlier slices), the reliability table per decile, and plainly whether the
score beats every baseline and is calibrated within 5 points in every decile of at least 30
cases. A score without enough history for an honest split says so, with its counts.
`--isotonic-from ROWS` measures another threshold than training.ISOTONIC_FROM_ROWS (isotonic
calibration from that many calibration rows, else sigmoid), recorded apart
(`scores_<sample>_isotonic_from_<ROWS>.md`), so the product's choice stays the measured one.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
from record import record  # benchmarks/record.py: scripts run from this folder

from amicable.scores import store, training
from amicable.scores.spec import SCORES
from amicable.scores.training import RELIABILITY_MIN_CASES, NotEnoughHistory, train

AS_OF = "2026-11-20"
SEED = 7
TOLERANCE_POINTS = 5.0


def build(size: str, debtors: int | None, work: Path) -> Path:
    cli = [sys.executable, "-m", "amicable.cli"]
    landing, warehouse = work / "landing", work / "warehouse.duckdb"
    generate = ["generate", "--size", size, "--seed", str(SEED), "--daily", "--as-of", AS_OF]
    generate += ["--debtors", str(debtors)] if debtors else []
    subprocess.run([*cli, *generate, "--out", str(landing)], check=True)
    subprocess.run(
        [*cli, "build", "--landing", str(landing), "--warehouse", str(warehouse), "--as-of", AS_OF],
        check=True,
    )
    return warehouse


def report(sample: str, command: str, warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frames = {spec.name: store.features(con, spec) for spec in SCORES.values()}
        day = store.as_of(con)
    lines = [
        f"# Case scores on the `{sample}` sample (seed {SEED}, daily files, as of {day})",
        "",
        f"`{command}`: each score trained as `amicable scores train` trains, on its training "
        "table (`marts.fct_case_score_features`: one row per open case and month end; "
        "`marts.fct_promise_score_features`: one row per promise, its case's features the day "
        "before it was made). Figures on the held-out later period only.",
    ]
    for spec in SCORES.values():
        lines += ["", f"## {spec.name}: {spec.description}", "", f"Rows from `{spec.table}`."]
        try:
            trained = train(frames[spec.name], spec, SEED)
        except NotEnoughHistory as exc:
            lines += ["", f"NOT EVALUATED: {exc}."]
            continue
        m, s = trained.metrics, trained.slices
        lines += [
            "",
            f"- training slice: {s.window('train')[0]} to {s.window('train')[1]}, "
            f"{len(s.train)} rows ({int(s.train[spec.label].sum())} positive)",
            f"- calibration slice: {s.window('calibration')[0]} to "
            f"{s.window('calibration')[1]}, {len(s.calibration)} rows "
            f"({int(s.calibration[spec.label].sum())} positive)",
            f"- held-out test period: {s.window('test')[0]} to {s.window('test')[1]}, "
            f"{m['test']['rows']} rows ({m['test']['positives']} positive, base rate "
            f"{m['test']['base_rate']:.1%})",
            f"- chosen on the calibration slice: {trained.kind.replace('_', ' ')} "
            "("
            + "; ".join(
                f"{k.replace('_', ' ')}: Brier {v['brier']:.4f}, AUC {v['auc']:.3f}"
                for k, v in trained.choice.items()
            )
            + f"), calibrated {trained.method}",
            "",
            "| scorer | ROC AUC | Brier |",
            "|---|---:|---:|",
        ]
        for name, figures in m.items():
            if name == "test":
                continue
            label = "model (calibrated)" if name == "model" else f"baseline: {name}"
            lines.append(f"| {label} | {figures['auc']:.3f} | {figures['brier']:.4f} |")
        table = trained.reliability
        lines += [
            "",
            "Reliability per decile of the predicted probability (held-out period):",
            "",
            "| decile | cases | mean predicted | observed | gap (points) | judged |",
            "|---:|---:|---:|---:|---:|---|",
        ]
        for row in table.itertuples():
            lines.append(
                f"| {row.decile} | {row.cases} | {row.predicted:.1%} | {row.observed:.1%} | "
                f"{row.gap_points:+.1f} | {'yes' if row.judged else 'no (too few)'} |"
            )
        baselines = [k for k in m if k not in ("model", "test")]
        beaten_auc = [b for b in baselines if m["model"]["auc"] > m[b]["auc"]]
        beaten_brier = [b for b in baselines if m["model"]["brier"] < m[b]["brier"]]
        judged = table[table["judged"]]
        off = judged[judged["gap_points"].abs() > TOLERANCE_POINTS]
        verdict = []
        if len(beaten_auc) == len(baselines) and len(beaten_brier) == len(baselines):
            verdict.append("The score beats every baseline on ROC AUC and on Brier score.")
        else:
            verdict.append(
                "The score does NOT beat every baseline: ROC AUC beats "
                f"{', '.join(beaten_auc) or 'none'}; Brier beats "
                f"{', '.join(beaten_brier) or 'none'}."
            )
        if judged.empty:
            verdict.append(
                f"No decile has {RELIABILITY_MIN_CASES} cases: calibration is not judged."
            )
        elif off.empty:
            verdict.append(
                f"Calibrated within {TOLERANCE_POINTS:.0f} points in every decile of at least "
                f"{RELIABILITY_MIN_CASES} cases ({len(judged)} of {len(table)})."
            )
        else:
            verdict.append(
                f"NOT calibrated within {TOLERANCE_POINTS:.0f} points in "
                f"{len(off)} of the {len(judged)} deciles of at least {RELIABILITY_MIN_CASES} "
                f"cases (deciles {', '.join(str(d) for d in off['decile'])})."
            )
        if len(table) > len(judged):
            verdict.append(
                f"{len(table) - len(judged)} deciles have fewer than {RELIABILITY_MIN_CASES} "
                "cases and are shown but not judged."
            )
        predicted = (table["predicted"] * table["cases"]).sum() / table["cases"].sum()
        verdict.append(
            f"Over the whole held-out period: mean predicted {predicted:.1%}, observed "
            f"{m['test']['base_rate']:.1%}."
        )
        lines += ["", *verdict]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="demo")
    parser.add_argument("--debtors", type=int, help="the generator's --debtors")
    parser.add_argument("--warehouse", type=Path, help="a build of that sample (else built)")
    parser.add_argument(
        "--isotonic-from", type=int, help="calibration rows from which isotonic is used"
    )
    args = parser.parse_args()
    sample = args.size + (f"_{args.debtors}_debtors" if args.debtors else "")
    command = "uv run python benchmarks/score_evaluation.py --size " + args.size
    command += f" --debtors {args.debtors}" if args.debtors else ""
    name = f"scores_{sample}"
    if args.isotonic_from is not None:
        training.ISOTONIC_FROM_ROWS = args.isotonic_from
        command += f" --isotonic-from {args.isotonic_from}"
        name += f"_isotonic_from_{args.isotonic_from}"
    if args.warehouse:
        lines = report(sample, command, args.warehouse)
    else:
        with tempfile.TemporaryDirectory(prefix="amicable-scores-") as tmp:
            lines = report(sample, command, build(args.size, args.debtors, Path(tmp)))
    record(name, lines)


if __name__ == "__main__":
    main()
