"""dqc.estimate, sweeps, verdicts and ``dqc estimate`` on the command line."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from qiskit import QuantumCircuit, qasm2

import dqc
from dqc.cli import main
from dqc.errors import DQCError, NetworkError
from dqc.estimate import (
    Estimate,
    estimate,
    estimate_sweep,
    parse_sweep,
    sweep_network,
    tty_progress,
)
from dqc.network import Network
from dqc.schedule import check_schedule

ROOT = Path(__file__).resolve().parent.parent


def ghz(n: int) -> QuantumCircuit:
    qc = QuantumCircuit(n, n)
    qc.h(0)
    for i in range(n - 1):
        qc.cx(i, i + 1)
    qc.measure(range(n), range(n))
    return qc


def checked(e: Estimate, original: QuantumCircuit) -> Estimate:
    """The estimate's circuit verifies and its schedule keeps every rule."""
    outcome = dqc.verify(original, e.circuit, e.report)
    assert outcome.ok, str(outcome)
    assert check_schedule(e.schedule, e.circuit, e.network,
                          qubit_qpu=e.report.qubit_qpu) == []
    return e


# ------------------------------------------------------------------------- API
def test_estimate_result_and_json_keys() -> None:
    qc = ghz(6)
    net = Network.line(3, data_qubits=2, technology="trapped_ion", rate_hz=50)
    e = checked(estimate(qc, net, samples=50, seed=2), qc)
    assert isinstance(e, dqc.Estimate) and e.sweep is None
    d = e.to_dict()
    assert d["ebits"] == e.report.ebits == sum(d["ebits_per_link"].values())
    s = d["schedule"]
    for key in ("makespan_s", "lower_bound_s", "link_busy", "peak_comm_qubits",
                "mean_comm_qubits", "ebit_storage_s", "critical_path", "monte_carlo"):
        assert key in s, key
    assert set(s["fidelity"]) >= {"total", "link", "memory", "idle", "gates"}
    assert s["makespan_s"] >= s["lower_bound_s"] > 0
    assert s["lower_bound_s"] == max(s["lower_bounds"]["critical_path_s"],
                                     *s["lower_bounds"]["links_s"].values())
    assert set(s["link_busy"]) == {"qpu0-qpu1", "qpu1-qpu2"}
    assert d["verdict"]["status"] in ("feasible", "marginal", "infeasible")
    for reason in d["verdict"]["reasons"]:
        assert {"check", "subject", "status", "message"} <= set(reason)
        assert any(isinstance(v, float) for v in reason.values()), reason
    assert json.loads(json.dumps(d)) == d
    assert e.schedule.monte_carlo.mean_s >= e.schedule.critical_path_s * 0.5
    # the compile report carries the deterministic part of the same schedule
    deterministic = {k: v for k, v in s.items() if k != "monte_carlo"}
    assert e.report.schedule == deterministic and e.report.verdict == d["verdict"]


def test_verdicts_follow_the_figures() -> None:
    """Fast ion links with few remote gates are feasible; slow links to
    superconducting QPUs are not, because stored ebits outlive T2."""
    qc = ghz(16)
    fast = Network.line(2, data_qubits=8, technology="trapped_ion", rate_hz=1e6,
                        latency_s=1e-6, fidelity=0.999)
    good = checked(estimate(qc, fast), qc)
    assert good.verdict.status == "feasible", good.summary()
    assert all(r.status == "ok" for r in good.verdict.reasons)
    slow = Network.line(2, data_qubits=8, technology="superconducting", rate_hz=10)
    bad = checked(estimate(qc, slow), qc)
    assert bad.verdict.status == "infeasible"
    problems = {(r.check, r.status) for r in bad.verdict.problems()}
    assert ("memory", "infeasible") in problems and ("ebit_rate", "marginal") in problems
    memory = next(r for r in bad.verdict.reasons
                  if r.check == "memory" and r.status == "infeasible")
    assert memory.figures["t2_s"] == 89e-6 and memory.figures["ratio"] > 1
    assert "T2 = 8.9e-05 s" in memory.message
    rate = next(r for r in bad.verdict.reasons if r.check == "ebit_rate")
    assert rate.figures["capacity_hz"] == 10 and rate.figures["ratio"] > 1


def test_buffering_verdict_counts_comm_qubits() -> None:
    """Four telegates at once over a fast link with a long latency: one comm qubit per
    QPU cannot hold the ebits the program could use (rate drawn x hold time > 1)."""
    qc = QuantumCircuit(8)
    for _ in range(3):  # keep q0-q3 and q4-q7 together
        for i in range(3):
            qc.cx(i, i + 1)
            qc.cx(i + 4, i + 5)
    for i in range(4):
        qc.h(i)
        qc.cx(i, i + 4)
    net = Network.line(2, data_qubits=4, comm_qubits=1, rate_hz=1e5, latency_s=0.01,
                       technology="trapped_ion")
    e = checked(estimate(qc, net), qc)
    assert e.report.ebits == 4
    buffering = next(r for r in e.verdict.reasons if r.check == "buffering")
    assert buffering.status == "marginal"
    assert buffering.figures["needed"] > buffering.figures["comm_qubits"] == 1


def test_sweep_link_rate_and_t2() -> None:
    qc = ghz(6)
    net = Network.ring(3, data_qubits=2, technology="trapped_ion")
    rates = estimate_sweep(qc, net, "link.rate_hz", [1, 10, 100, 1000])
    assert [e.sweep for e in rates] == [("link.rate_hz", v) for v in (1, 10, 100, 1000)]
    for e in rates:
        checked(e, qc)
    makespans = [e.schedule.makespan_s for e in rates]
    assert makespans == sorted(makespans, reverse=True) and makespans[0] > makespans[-1]
    t2s = estimate_sweep(qc, net, "qpu.t2_s", [10.0, 1.0, 0.01])
    fidelities = [e.schedule.fidelity.log10_total for e in t2s]
    assert fidelities == sorted(fidelities, reverse=True)
    assert {e.schedule.makespan_s for e in t2s} == {t2s[0].schedule.makespan_s}


def test_sweep_comm_qubits_recompiles() -> None:
    qc = QuantumCircuit(6)
    for i in range(3):
        qc.h(i)
    for i in range(3):
        qc.cx(i, i + 3)
    for i in range(3):
        qc.cx(i, (i + 1) % 3 + 3)
    net = Network.line(2, data_qubits=3, technology="trapped_ion")
    out = estimate_sweep(qc, net, "qpu.comm_qubits", [1, 3])
    for e in out:
        checked(e, qc)
    assert [q.comm_qubits for q in out[0].network.qpus] == [1, 1]
    assert max(out[0].schedule.peak_comm_qubits.values()) == 1
    assert max(out[1].schedule.peak_comm_qubits.values()) <= 3


def test_sweep_length_needs_physical_links() -> None:
    ring = dqc.targets.load("metro_ring")
    longer = sweep_network(ring, "link.length_km", 50.0)
    assert longer.links[0].rate_hz < ring.links[0].rate_hz
    assert longer.links[0].latency_s > ring.links[0].latency_s
    with pytest.raises(NetworkError, match=r"^sweeping link.length_km needs physical links, "
                                           r"but link qpu0-qpu1 is given directly"):
        sweep_network(dqc.targets.load("metro4"), "link.length_km", 50.0)
    with pytest.raises(NetworkError, match="length_km=-1.0; it must be >= 0"):
        sweep_network(ring, "link.length_km", -1.0)


@pytest.mark.parametrize(
    ("key", "value", "error", "message"),
    [
        ("link.rate", 1.0, DQCError, "unknown sweep key 'link.rate'; known: link.rate_hz"),
        ("link.rate_hz", 0.0, NetworkError, "link qpu0-qpu1 has rate_hz=0.0; it must be positive"),
        ("qpu.t2_s", 0.0, NetworkError, "has t2_s=0.0; it must be positive and finite"),
        ("qpu.t2_s", -2.0, NetworkError, "has t2_s=-2.0; it must be positive and finite"),
        ("link.latency_s", -1.0, NetworkError, "has latency_s=-1.0; it must be >= 0"),
        ("qpu.comm_qubits", -1, NetworkError, "has comm_qubits=-1; it must be a non-negative"),
    ],
)
def test_bad_sweep_values(key: str, value: float, error: type, message: str) -> None:
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        sweep_network(Network.line(2, data_qubits=1), key, value)


def test_parse_sweep() -> None:
    assert parse_sweep("link.rate_hz=1,10, 1e3") == ("link.rate_hz", [1.0, 10.0, 1000.0])
    assert parse_sweep("link.channels=1,2") == ("link.channels", [1, 2])
    with pytest.raises(DQCError, match="must look like KEY=V1,V2"):
        parse_sweep("link.rate_hz")
    with pytest.raises(DQCError, match="value 'fast' of link.rate_hz is not a number"):
        parse_sweep("link.rate_hz=1,fast")
    with pytest.raises(DQCError, match="value '1.5' of qpu.comm_qubits must be an integer"):
        parse_sweep("qpu.comm_qubits=1.5")


# ------------------------------------------------------------------------- CLI
@pytest.fixture
def ghz24(tmp_path: Path) -> Path:
    """A 24-qubit GHZ circuit: wider than one QPU of lab2, metro4 or metro_ring."""
    path = tmp_path / "ghz24.qasm"
    path.write_text(qasm2.dumps(ghz(24)), encoding="utf-8")
    return path


def run(capsys, *argv: object) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_cli_table(capsys, ghz24: Path) -> None:
    rc, out, err = run(capsys, "estimate", ghz24, "--target", "lab2", "--samples", "20")
    assert rc == 0, err
    for text in ("ebits:", "alice-bob", "makespan:", "lower bound", "Monte Carlo (20 samples",
                 "fidelity:", "memory:", "verdict:"):
        assert text in out, text


def test_cli_json_and_generated_network(capsys, ghz24: Path) -> None:
    rc, out, err = run(capsys, "estimate", ghz24, "--qpus", "2", "--topology", "line",
                       "--technology", "nv", "--json")
    assert rc == 0, err
    d = json.loads(out)
    assert d["ebits"] >= 1 and d["schedule"]["technology"] == {"qpu0": "nv", "qpu1": "nv"}
    assert d["verdict"]["status"] in ("feasible", "marginal", "infeasible")


def test_cli_sweep_json_and_table(capsys, ghz24: Path) -> None:
    rc, out, err = run(capsys, "estimate", ghz24, "--target", "metro_ring", "--json",
                       "--sweep", "link.length_km=10,100")
    assert rc == 0, err
    data = json.loads(out)
    assert [d["sweep"] for d in data] == [{"key": "link.length_km", "value": 10.0},
                                          {"key": "link.length_km", "value": 100.0}]
    assert data[1]["schedule"]["makespan_s"] > data[0]["schedule"]["makespan_s"]
    rc, out, err = run(capsys, "estimate", ghz24, "--target", "metro4", "--sweep",
                       "link.rate_hz=1,1000")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[1].split()[:3] == ["link.rate_hz", "ebits", "makespan"]
    assert lines[2].startswith("1 ") and lines[3].startswith("1000 ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--sweep", "link.speed=1,2"), "unknown sweep key 'link.speed'"),
        (("--sweep", "link.rate_hz=0"), "rate_hz=0.0; it must be positive"),
        (("--sweep", "qpu.t2_s=-1"), "t2_s=-1.0; it must be positive and finite"),
        (("--sweep", "link.length_km=5"), "sweeping link.length_km needs physical links"),
        (("--samples", "-3"), "--samples must be a non-negative integer, got -3"),
    ],
)
def test_cli_bad_input_is_one_line(capsys, ghz24: Path, args: tuple, message: str) -> None:
    rc, out, err = run(capsys, "estimate", ghz24, "--target", "metro4", *args)
    assert rc == 2 and "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("dqc: error: ") and message in err, err


def test_cli_plot_without_matplotlib(capsys, ghz24: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails as if not installed
    target = tmp_path / "gantt.png"
    rc, out, err = run(capsys, "estimate", ghz24, "--target", "lab2", "--plot", target)
    assert rc == 2 and "pip install 'dqc[plot]'" in err and not target.exists()


def test_cli_plot(capsys, ghz24: Path, tmp_path: Path) -> None:
    import matplotlib  # noqa: F401 - in the [test] extra: fail loudly, never skip
    target = tmp_path / "gantt.png"
    rc, out, err = run(capsys, "estimate", ghz24, "--target", "lab2", "--plot", target)
    assert rc == 0, err
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rc, out, err = run(capsys, "estimate", ghz24, "--target", "lab2", "--plot", target,
                       "--sweep", "link.rate_hz=10,100")
    assert rc == 0, err
    assert (tmp_path / "gantt_10.png").exists() and (tmp_path / "gantt_100.png").exists()


def test_compile_report_has_schedule_and_verdict(capsys, ghz24: Path, tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    rc, out, err = run(capsys, "compile", ghz24, "--target", "metro4", "--report", report)
    assert rc == 0, err
    d = json.loads(report.read_text())
    assert d["schedule"]["status"] == "computed" and d["schedule"]["makespan_s"] > 0
    assert d["verdict"]["status"] in ("feasible", "marginal", "infeasible")
    rc, out, err = run(capsys, "estimate", ghz24, "--target", "metro4", "--json")
    estimate_json = json.loads(out)
    assert estimate_json["schedule"] == d["schedule"]
    assert estimate_json["verdict"] == d["verdict"]


def test_readme_estimate_commands_run(capsys, monkeypatch, tmp_path: Path) -> None:
    """Every `dqc estimate` example of the README runs (plots only with matplotlib)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Estimate latency and fidelity", 1)[1].split("\n## ", 1)[0]
    commands = [line.strip().removeprefix("$ ") for line in section.splitlines()
                if line.strip().removeprefix("$ ").startswith("dqc estimate benchmarks/")]
    assert len(commands) >= 4
    monkeypatch.chdir(ROOT)
    try:
        import matplotlib  # noqa: F401
        has_plot = True
    except ImportError:
        has_plot = False
    for command in commands:
        args = command.split()[1:]
        if "--plot" in args:
            if not has_plot:
                continue
            args[args.index("--plot") + 1] = str(tmp_path / "readme.png")
        rc, out, err = run(capsys, *args)
        assert rc == 0, (command, err)
        assert "verdict" in out
    shown = [line for line in section.splitlines() if line.startswith(("verdict:", "0.9"))]
    assert "verdict: MARGINAL" in shown and "verdict: INFEASIBLE" in shown


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(capsys, monkeypatch, ghz24: Path) -> None:
    """Monte Carlo (600 samples: two batches) and sweeps draw a bar on a terminal's
    stderr; piped output and --json get none, and stdout never does."""
    base = ["estimate", str(ghz24), "--target", "lab2", "--samples", "600"]
    rc, out, err = run(capsys, *base)
    assert rc == 0 and err == "" and "\r" not in out          # piped: clean
    for extra, label in (([], "Monte Carlo samples ["),
                         (["--sweep", "link.rate_hz=10,100"], "link.rate_hz [")):
        terminal = _Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        assert main(base + extra) == 0
        drawn = terminal.getvalue()
        assert label in drawn and drawn.endswith("\n"), drawn
        assert "\r" not in capsys.readouterr().out
        quiet = _Terminal()
        monkeypatch.setattr(sys, "stderr", quiet)
        assert main(base + extra + ["--json"]) == 0
        assert quiet.getvalue() == ""
        json.loads(capsys.readouterr().out)
    terminal = _Terminal()
    draw = tty_progress("samples", terminal)
    draw(512, 600)
    draw(600, 600)
    assert terminal.getvalue() == ("\rsamples [#################   ] 512/600"
                                   "\rsamples [####################] 600/600\n")
