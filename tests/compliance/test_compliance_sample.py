"""Compliance marts on the tiny sample (seed 7, as of 2026-11-20), built once by `sample_build`.

The generator plants labelled breaches (`_labels/breaches.jsonl`) and keeps everything else
compliant; the mart must find exactly the planted ones: rule, case, evidence and moment.
"""

from __future__ import annotations

from datetime import datetime

from tests.conftest import SampleBuild


def test_breaches_equal_the_generator_labels(sample_build: SampleBuild) -> None:
    labels = sample_build.labels("breaches")
    expected = {
        (b["rule_id"], b["case_id"], ",".join(b["evidence_ids"]), b["occurred_at"]) for b in labels
    }
    rows = sample_build.query(
        "select rule_id, case_id, evidence_ids, occurred_at from marts.fct_compliance_breaches"
    )
    found = {(r, c, e, datetime.isoformat(at) + "Z") for r, c, e, at in rows}
    assert len(rows) == len(found)
    assert found == expected
    assert len(expected) >= 5  # the tiny sample plants breaches of several kinds


def test_every_case_resolves_to_a_rule_pack(sample_build: SampleBuild) -> None:
    rows = sample_build.query(
        "select jurisdiction, rule_pack, count(*) from intermediate.int_compliance_cases "
        "group by all order by 1"
    )
    assert {(j, p) for j, p, _ in rows} == {
        ("DE", "default"),
        ("FR", "FR"),
        ("UK", "default"),
        ("US", "US"),
    }


def test_summary_counts_every_breach_once(sample_build: SampleBuild) -> None:
    breaches = sample_build.query("select count(*) from marts.fct_compliance_breaches")
    summary = sample_build.query("select sum(breaches) from marts.fct_compliance_summary")
    assert summary == breaches
