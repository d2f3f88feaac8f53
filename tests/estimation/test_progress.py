"""The progress line of long compiles: on a terminal only, erased at the end, silenced by -q."""

from __future__ import annotations

import io
import time

from qiskit import qasm2

import dqc
from dqc.estimation.render import StageProgress
from tests.helpers import qft, run_cli


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_names_the_stage_and_its_place_and_is_erased_at_the_end():
    screen = _Terminal()
    show = StageProgress.for_terminal(screen, delay=0.0, interval=0.01)
    assert show is not None
    show("PartitionQubits", 0, 3)
    time.sleep(0.1)
    show("scheduling", 2, 3)
    time.sleep(0.1)
    show("done", 3, 3)
    text = screen.getvalue()
    assert "dqc: PartitionQubits (1/3)" in text and "dqc: scheduling (3/3)" in text
    last = text.rsplit("\r", 2)
    assert last[-1] == "" and last[-2].strip() == ""  # the line is blanked out
    size = len(text)
    time.sleep(0.05)
    assert len(screen.getvalue()) == size  # nothing drawn after the end


def test_nothing_is_drawn_before_the_delay_or_off_a_terminal():
    screen = _Terminal()
    show = StageProgress(screen, delay=60.0, interval=0.01)
    show("PartitionQubits", 0, 2)
    time.sleep(0.05)
    show("done", 2, 2)
    assert screen.getvalue() == ""
    assert StageProgress.for_terminal(io.StringIO()) is None


def test_compile_reports_each_stage_in_order():
    seen: list[tuple[str, int, int]] = []
    dqc.compile(qft(6), dqc.Network.line(2, data_qubits=3),
                progress=lambda *args: seen.append(args))
    done = [d for _, d, _ in seen]
    assert done == list(range(len(seen))) and seen[-1] == ("done", done[-1], done[-1])
    names = [name for name, _, _ in seen]
    assert (names.index("PartitionQubits") < names.index("DistributeGates")
            < names.index("scheduling") < names.index("building the circuit"))


def test_piped_output_has_no_progress_and_quiet_is_accepted(tmp_path, capsys):
    src = tmp_path / "qft.qasm"
    src.write_text(qasm2.dumps(qft(6)))
    for extra in ([], ["--quiet"]):
        code, out, err = run_cli(capsys, "compile", src, "--qpus", "2", *extra)
        assert code == 0 and "ebits:" in out and err == ""
    code, _, err = run_cli(capsys, "estimate", src, "--qpus", "2", "-q")
    assert code == 0 and err == ""
