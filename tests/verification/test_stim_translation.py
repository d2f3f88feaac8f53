"""dqc.verification.stim_translation: angles as quarter turns, exact or in a skeleton."""

from __future__ import annotations

import math

import pytest

from dqc.verification.stim_translation import NonClifford, quarter_turns


@pytest.mark.parametrize("theta, turns", [
    (0.0, 0), (math.pi / 2, 1), (math.pi, 2), (-math.pi / 2, 3), (5 * math.pi / 2, 1),
    (2 * math.pi + 1e-12, 0)])
def test_clifford_angles_are_exact_quarter_turns(theta, turns):
    assert quarter_turns(theta, False) == turns == quarter_turns(theta, True)


def test_other_angles_are_refused_or_one_turn_in_a_skeleton():
    with pytest.raises(NonClifford, match="angle 0.3"):
        quarter_turns(0.3, False)
    assert quarter_turns(0.3, True) == quarter_turns(math.pi / 4, True) == 1
