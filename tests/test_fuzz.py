"""The fuzzing campaign, bounded for CI: random circuits on random networks, each verified
or refused with a reason (``python -m benchmarks.fuzz`` runs thousands)."""

from __future__ import annotations

from benchmarks.fuzz import campaign, case_inputs, reason, summary


def test_a_bounded_campaign_has_no_failures():
    outcomes = campaign(60, seed=2026, jobs=1)
    result = summary(outcomes, 2026, 0.0)
    assert result["failures"] == 0, result["failure_cases"]
    assert result["cases"] == 60
    assert result["verified"] >= 45, result  # refusals are the exception, not the rule
    assert all(o.kind in ("verified", "refused") for o in outcomes)


def test_cases_are_reproducible_from_their_seed():
    first, again = case_inputs(12345), case_inputs(12345)
    assert first[0] == again[0] and first[1] == again[1]
    assert case_inputs(12346)[0] != first[0]


def test_refusals_group_by_reason_without_their_numbers():
    assert reason("QPU q1 has 1 comm qubit but 3 are needed; add one") == (
        "QPU N has N comm qubit but N are needed")
