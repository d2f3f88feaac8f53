"""Text of estimates (dqc.estimation.render) and the shared number formats."""

from __future__ import annotations

import io

from dqc.estimate import estimate
from dqc.estimation.formatting import fmt_number, fmt_time
from dqc.estimation.render import render_estimate, tty_progress
from dqc.network import Network


class _Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_tty_progress_redraws_one_line_and_ends_it() -> None:
    terminal = _Terminal()
    draw = tty_progress("samples", terminal)
    draw(512, 600)
    draw(600, 600)
    assert terminal.getvalue() == ("\rsamples [#################   ] 512/600"
                                   "\rsamples [####################] 600/600\n")
    single = _Terminal()
    tty_progress("one", single)(1, 1)
    assert single.getvalue() == ""
    assert tty_progress("piped", io.StringIO()) is None


def test_summary_is_the_rendered_parts(ghz) -> None:
    net = Network.line(2, data_qubits=3, technology="trapped_ion")
    e = estimate(ghz(6), net, samples=10, seed=1)
    text = e.summary()
    assert text == render_estimate(e.network, e.report, e.schedule, e.verdict)
    lines = text.splitlines()
    assert lines[0] == f"network: {net.summary()}"
    assert lines[3].split() == ["link", "ebits", "rate/s", "latency", "fidelity", "busy",
                                "bound"]
    assert any(line.startswith("  Monte Carlo (10 samples, seed 1)") for line in lines)
    assert lines[-len(e.verdict.reasons) - 1] == f"verdict: {e.verdict.status.upper()}"


def test_underflowed_fidelity_is_shown_by_its_exponent() -> None:
    assert fmt_number(0.0, -4380.4) == "1e-4380"
    assert fmt_number(0.0) == fmt_number(0.0, float("-inf")) == "0"
    assert fmt_number(123456.0) == "1.23e+05"
    assert fmt_time(0.00125) == "1.25 ms"
