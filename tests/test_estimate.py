"""dqc.estimate and dqc.estimate_sweep, and ``dqc estimate`` on the command line.

The verdicts, sweep keys and text have their own tests in ``tests/estimation/``."""

from __future__ import annotations

import io
import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from qiskit import QuantumCircuit, qasm2

import dqc
from dqc.cli import main
from dqc.errors import NetworkError
from dqc.estimate import (
    SweepFailure,
    estimate,
    estimate_sweep,
    render_sweep,
    sweep_network,
)
from dqc.network import Network
from dqc.network.parts import DEFAULTS_TEXT

ROOT = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------------- API
def test_estimate_result_and_json_keys(ghz, checked) -> None:
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


def test_sweep_link_rate_and_t2(ghz, checked) -> None:
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


def test_sweep_comm_qubits_recompiles(checked) -> None:
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


def triangle() -> QuantumCircuit:
    """Three qubits that all interact: on a line of three one-qubit QPUs one pair sits
    on the two ends, so its gate needs entanglement swapping at the middle QPU."""
    qc = QuantumCircuit(3)
    qc.cx(0, 1)
    qc.cx(1, 2)
    qc.cx(0, 2)
    return qc


SWAP_NEEDS_TWO = ("QPU 'qpu1' has 1 comm qubit but entanglement swapping at 'qpu1' "
                  "(path qpu0 - qpu1 - qpu2) needs 2 at once")


def test_sweep_goes_on_past_a_value_that_cannot_compile(checked) -> None:
    qc = triangle()
    net = Network.line(3, data_qubits=1, comm_qubits=2)
    with pytest.raises(dqc.CapacityError, match=r"needs 2 at once"):
        estimate(qc, sweep_network(net, "qpu.comm_qubits", 1))
    out = estimate_sweep(qc, net, "qpu.comm_qubits", [1, 2, 0])
    assert [e.sweep for e in out] == [("qpu.comm_qubits", v) for v in (1, 2, 0)]
    failed, ok, none = out
    assert isinstance(failed, SweepFailure) and isinstance(none, SweepFailure)
    assert failed.error == SWAP_NEEDS_TWO
    assert "has 0 comm qubits but a Bell pair between" in none.error
    assert [q.comm_qubits for q in failed.network.qpus] == [1, 1, 1]
    checked(ok, qc)
    # the value that compiles gives what it gives alone
    alone = estimate(qc, sweep_network(net, "qpu.comm_qubits", 2))
    assert ok.to_dict() == replace(alone, sweep=("qpu.comm_qubits", 2)).to_dict()
    assert failed.verdict.status == "infeasible"
    assert failed.to_dict() == {
        "sweep": {"key": "qpu.comm_qubits", "value": 1},
        "network": "3 QPUs (line), 3 data + 3 comm qubits, 2 links",
        "error": SWAP_NEEDS_TWO,
        "verdict": {"status": "infeasible",
                    "reasons": [{"check": "compile", "subject": "", "status": "infeasible",
                                 "message": SWAP_NEEDS_TWO}]},
    }
    table = render_sweep(out).splitlines()
    assert table[1] == f"1               cannot compile: {SWAP_NEEDS_TWO}"
    assert table[2].split()[0] == "2" and table[2].endswith(ok.verdict.status)
    assert table[3].startswith("0               cannot compile: QPU ")


def test_sweep_still_refuses_bad_values_before_any_work() -> None:
    """Only "does not fit" is reported per value; a value the model rejects stops the
    sweep up front, as does an error that is not about the value."""
    with pytest.raises(NetworkError, match="has comm_qubits=-1"):
        estimate_sweep(triangle(), Network.line(3, data_qubits=1), "qpu.comm_qubits", [2, -1])


# ------------------------------------------------------------------------- CLI
@pytest.fixture
def ghz24(tmp_path: Path, ghz) -> Path:
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


@pytest.fixture
def triangle_qasm(tmp_path: Path) -> Path:
    path = tmp_path / "triangle.qasm"
    path.write_text(qasm2.dumps(triangle()), encoding="utf-8")
    return path


LINE3 = ("--qpus", "3", "--topology", "line", "--data-qubits", "1")


def test_cli_sweep_reports_a_value_that_cannot_compile(capsys, triangle_qasm: Path) -> None:
    rc, out, err = run(capsys, "estimate", triangle_qasm, *LINE3,
                       "--sweep", "qpu.comm_qubits=1,2,3")
    assert rc == 0 and err == "", err
    lines = out.splitlines()
    assert lines[1].startswith("assumed: trapped_ion QPUs")  # --qpus: the defaults are said
    assert lines[2].split()[:3] == ["qpu.comm_qubits", "ebits", "makespan"]
    assert lines[3] == f"1               cannot compile: {SWAP_NEEDS_TWO}"
    assert lines[4].startswith("2 ") and lines[5].startswith("3 ") and len(lines) == 6
    rc, out, err = run(capsys, "estimate", triangle_qasm, *LINE3,
                       "--sweep", "qpu.comm_qubits=1,2", "--json")
    assert rc == 0 and err == "", err
    first, second = json.loads(out)
    assert first == {
        "sweep": {"key": "qpu.comm_qubits", "value": 1},
        "network": "3 QPUs (line), 3 data + 3 comm qubits, 2 links",
        "assumed": f"{DEFAULTS_TEXT} (pass --technology / --target to change)",
        "error": SWAP_NEEDS_TWO,
        "verdict": {"status": "infeasible",
                    "reasons": [{"check": "compile", "subject": "", "status": "infeasible",
                                 "message": SWAP_NEEDS_TWO}]},
    }
    assert second["sweep"] == {"key": "qpu.comm_qubits", "value": 2}
    assert "error" not in second and second["ebits"] > 0 and "schedule" in second


def test_cli_sweep_where_no_value_compiles(capsys, triangle_qasm: Path) -> None:
    """The table (or JSON) still says why for each value; one error line; exit 2."""
    for extra in ((), ("--json",)):
        rc, out, err = run(capsys, "estimate", triangle_qasm, *LINE3,
                           "--sweep", "qpu.comm_qubits=0,1", *extra)
        assert rc == 2 and "Traceback" not in err
        assert err.startswith("dqc: error: the circuit cannot be compiled for any value "
                              "of qpu.comm_qubits (0, 1); for qpu.comm_qubits=0: QPU 'qpu0' "
                              "has 0 comm qubits but a Bell pair between ")
        assert err.count("\n") == 1 and err.endswith("(e.g. --comm-qubits 1)\n"), err
        if extra:
            assert [d["verdict"]["status"] for d in json.loads(out)] == ["infeasible"] * 2
        else:
            assert out.count("cannot compile: ") == 2


def test_cli_single_estimate_that_cannot_compile_is_one_line(capsys,
                                                             triangle_qasm: Path) -> None:
    for extra in ((), ("--json",)):
        rc, out, err = run(capsys, "estimate", triangle_qasm, *LINE3, "--comm-qubits", "1",
                           *extra)
        assert rc == 2 and out == ""
        assert err == f"dqc: error: {SWAP_NEEDS_TWO}\n"


def test_cli_sweep_plots_only_the_values_that_compile(capsys, triangle_qasm: Path,
                                                      tmp_path: Path) -> None:
    import matplotlib  # noqa: F401 - in the [test] extra: fail loudly, never skip
    target = tmp_path / "gantt.png"
    rc, out, err = run(capsys, "estimate", triangle_qasm, *LINE3, "--plot", target,
                       "--sweep", "qpu.comm_qubits=1,2")
    assert rc == 0, err
    assert not (tmp_path / "gantt_1.png").exists() and (tmp_path / "gantt_2.png").exists()
    assert out.splitlines()[-1] == f"wrote {tmp_path / 'gantt_2.png'}"


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
    assert rc == 2 and "pip install matplotlib" in err and not target.exists()


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


def test_cli_requirements_plot_draws_the_verdict_per_parameter(capsys, ghz24: Path,
                                                                tmp_path: Path) -> None:
    import matplotlib  # noqa: F401 - in the [test] extra: fail loudly, never skip
    target = tmp_path / "chart.png"
    rc, out, err = run(capsys, "estimate", ghz24, "--target", "lab2", "--requirements",
                       "--plot", target)
    assert rc == 0, err
    figure = tmp_path / "chart_requirements.png"
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.splitlines()[-1] == f"wrote {target}, {figure}"


def test_verdict_levels_follow_the_least_passing_values() -> None:
    from dqc.estimation.plot import verdict_levels
    from dqc.estimation.requirements import Bound, Requirement

    found = Bound("feasible", "found", 0.9, (), ())
    never = Bound("marginal", "unreachable", None, ("fidelity",), ())
    rate = Requirement("link.fidelity", "value", 0.8, ("fidelity",), found, never)
    assert verdict_levels(rate, [0.6, 0.89, 0.9, 1.0]) == [0, 0, 2, 2]
    # a fidelity factor scales the infidelity: smaller passes
    factor = Requirement("link.fidelity", "factor", 1.0, ("fidelity",),
                         Bound("feasible", "found", 0.5, (), ()),
                         Bound("marginal", "any", None, (), ()))
    assert verdict_levels(factor, [0.1, 0.5, 0.6, 2.0]) == [2, 2, 1, 1]


def test_gantt_bars_of_short_operations_stay_visible(ghz24: Path, tmp_path: Path,
                                                     monkeypatch) -> None:
    import matplotlib.axes

    import dqc
    from dqc.estimation.plot import MIN_BAR, plot_schedule
    widths: list[float] = []
    original = matplotlib.axes.Axes.broken_barh

    def record(self, spans, *args, **kwargs):
        widths.extend(w for _, w in spans)
        return original(self, spans, *args, **kwargs)

    monkeypatch.setattr(matplotlib.axes.Axes, "broken_barh", record)
    est = dqc.estimate(dqc.load_circuit(ghz24), dqc.targets.load("metro4"))
    plot_schedule(est.schedule, est.network, tmp_path / "g.png")
    makespan = est.schedule.makespan_s
    axis = makespan * (1e6 if makespan < 1e-3 else 1e3 if makespan < 1 else 1)  # its unit
    assert min(widths) >= MIN_BAR * axis * (1 - 1e-9)
    assert any(op.end_s - op.start_s < MIN_BAR * est.schedule.makespan_s
               for op in est.schedule.operations)  # some would have been invisible


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


def test_old_import_paths_still_work() -> None:
    """``dqc.estimate`` and ``dqc.estimation.schedule`` re-export what moved out of them."""
    import importlib

    top = importlib.import_module("dqc.estimate")
    import dqc.estimation.render as render
    import dqc.estimation.schedule as schedule
    import dqc.estimation.sweep as sweep

    for name in ("SWEEP_KEYS", "Estimate", "SweepFailure", "parse_sweep", "render_sweep",
                 "sweep_network"):
        assert getattr(top, name) is getattr(sweep, name), name
    assert top.tty_progress is render.tty_progress
    assert set(top.__all__) >= {"estimate", "estimate_sweep", "tty_progress", "SWEEP_KEYS"}
    for name in ("CHAIN_SEARCH_BUDGET", "EPR_TIMINGS", "Fidelity", "MonteCarlo", "Schedule",
                 "ScheduledOp", "check_schedule", "fmt_time", "op_cost", "schedule"):
        assert name in schedule.__all__ and hasattr(schedule, name), name


# ------------------------------------------------------------ defaults (issue #13)
def test_defaults_give_ghz_n40_on_two_qpus_the_ion_links_verdict(capsys) -> None:
    """ghz_n40 on 2 default QPUs uses one ebit; ion memories hold it easily, so the only
    check that fails is the link's pace: one pair at the default rate takes longer than
    the whole computation with free ebits."""
    path = ROOT / "benchmarks" / "circuits" / "ghz_n40.qasm"
    qc = dqc.load_circuit(path)
    net = Network.all_to_all(2, data_qubits=20)
    e = estimate(qc, net)
    assert dqc.verify(qc, e.circuit, e.report).ok
    assert e.report.ebits == 1 and e.schedule.technology["qpu0"] == "trapped_ion (default)"
    link = net.links[0]
    assert (1 / e.schedule.compute_s > link.rate_hz) == (e.verdict.status == "marginal")
    assert [r.check for r in e.verdict.problems()] == ["ebit_rate"]
    rc, out, err = run(capsys, "estimate", path, "--qpus", "2")
    assert rc == 0, err
    assert "verdict: MARGINAL" in out and "infeasible" not in out


def test_cli_says_what_was_assumed(capsys, ghz24: Path, tmp_path: Path) -> None:
    """--qpus without --technology assumes the default QPUs and links, and says so; a
    named technology still assumes the links; --target with technologies assumes
    nothing. --technology works for compile as for estimate."""
    from dqc.network.parts import DEFAULT_LINKS_TEXT
    rc, out, err = run(capsys, "compile", ghz24, "--qpus", "2")
    assert rc == 0, err
    assumed = [line for line in out.splitlines() if line.startswith("assumed:")]
    assert assumed == [f"assumed: {DEFAULTS_TEXT} (pass --technology / --target to change)"]
    report = tmp_path / "r.json"
    rc, out, err = run(capsys, "compile", ghz24, "--qpus", "2", "--technology", "nv",
                       "--report", report)
    assert rc == 0, err
    assert f"assumed: nv QPUs joined by {DEFAULT_LINKS_TEXT}" in out
    assert json.loads(report.read_text())["schedule"]["technology"] == {"qpu0": "nv",
                                                                        "qpu1": "nv"}
    rc, out, err = run(capsys, "estimate", ghz24, "--qpus", "2", "--json")
    assert rc == 0 and err == "", err
    assert list(json.loads(out))[:3] == ["network", "assumed", "ebits"]
    assert json.loads(out)["assumed"] == (
        f"{DEFAULTS_TEXT} (pass --technology / --target to change)")
    rc, out, err = run(capsys, "estimate", ghz24, "--target", "lab2")
    assert rc == 0 and "assumed:" not in out + err
    rc, out, err = run(capsys, "compile", ghz24, "--target", "lab2", "--technology", "nv")
    assert rc == 2 and err.startswith("dqc: error: --technology shapes a generated network")
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["compile", "--help"])
    assert "default: trapped_ion" in " ".join(capsys.readouterr().out.split())


def test_cli_requirements_table_and_json(capsys, ghz24: Path) -> None:
    rc, out, err = run(capsys, "estimate", ghz24, "--target", "lab2", "--requirements")
    assert rc == 0, err
    assert "requirements (each parameter alone" in out
    for key in ("link.rate_hz", "link.fidelity", "qpu.t2_s", "qpu.comm_qubits"):
        assert any(line.strip().startswith(key) for line in out.splitlines()), key
    rc, out, err = run(capsys, "estimate", ghz24, "--target", "lab2", "--requirements",
                       "--json")
    assert rc == 0, err
    req = json.loads(out)["requirements"]
    assert set(req) == {"tolerance", "link.rate_hz", "link.fidelity", "qpu.t2_s",
                        "qpu.comm_qubits"}
    for key, entry in req.items():
        if key == "tolerance":
            continue
        for level in ("feasible", "marginal"):
            assert entry[level]["status"] in ("found", "any", "unreachable")
            assert (entry[level]["value"] is None) == (entry[level]["status"] != "found")
    rc, out, err = run(capsys, "estimate", ghz24, "--target", "lab2", "--requirements",
                       "--sweep", "link.rate_hz=1,2")
    assert rc == 2 and out == ""
    assert err == ("dqc: error: --requirements searches each parameter itself; give it "
                   "without --sweep link.rate_hz=1,2\n")
