"""The ``dqc`` command line: ``dqc compile``, ``dqc estimate``, ``dqc sweep``, ``dqc verify``,
``dqc targets``."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from dataclasses import replace
from functools import partial
from importlib import metadata
from pathlib import Path

from qiskit import QuantumCircuit

import dqc.targets as targets
from dqc.adapter.noisy_sim import simulate_estimate
from dqc.adapter.qasm3_out import dumps as to_qasm3
from dqc.compile import compile as compile_circuit
from dqc.errors import DQCError, plural
from dqc.estimate import (
    SWEEP_KEYS,
    Estimate,
    SweepFailure,
    estimate,
    estimate_sweep,
    parse_sweep,
    render_sweep,
    requirements,
    tty_progress,
)
from dqc.estimation.plot import plot_requirements, plot_schedule
from dqc.estimation.render import StageProgress
from dqc.estimation.report import Report
from dqc.estimation.requirements import Requirements
from dqc.loading import load_circuit
from dqc.network import Network
from dqc.network.parts import DEFAULT_LINKS_TEXT, DEFAULTS_TEXT
from dqc.network.physics import DEFAULT_TECHNOLOGY, TECHNOLOGIES
from dqc.network.topology import TOPOLOGIES as TOPOLOGY_PAIRS
from dqc.sweeps import sweep, tty_bar
from dqc.verification.qcec_check import INSTALL_HINT
from dqc.verify import METHODS, QCEC_TIMEOUT, verify

#: ``--topology`` choices: the network factories of :data:`dqc.network.topology.TOPOLOGIES`.
TOPOLOGIES = {name: partial(Network.from_topology, name) for name in TOPOLOGY_PAIRS}


#: The distribution ``pip install .`` installs (the import name and the command are ``dqc``).
DISTRIBUTION = "dqc-compiler"

EPILOG = """examples:
  dqc compile circuit.qasm --qpus 4 --topology ring -o out.qasm --report report.json --verify
  dqc compile circuit.py --target metro4          (presets: dqc targets)
  dqc estimate circuit.qasm --target metro4 --sweep link.rate_hz=1,10,100
  dqc sweep examples/sweep.toml -o results.csv --workers 2 --plot figures
  dqc verify circuit.qasm out.qasm --report report.json

Exit status: 0 ok, 1 verification failed, 2 bad input (one 'dqc: error:' line)."""


class CLIError(DQCError):
    """A bad command-line value."""


def version() -> str:
    """The installed version of dqc (``dqc.__version__`` when not installed).

    Examples:
        >>> import dqc
        >>> version() == dqc.__version__  # pyproject.toml and dqc/__init__.py agree
        True
    """
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a checkout without `pip install`
        # the package root: always imported before this submodule, which may not import it
        return str(sys.modules["dqc"].__version__)


INPUT_HELP = ("OpenQASM 2/3 file, or a .py file leaving a QuantumCircuit in `circuit` (or `qc`, "
              "or its only circuit)")


def _add_network_options(sub: argparse.ArgumentParser) -> None:
    """``--target`` or a generated network (``--qpus`` and its options)."""
    where = sub.add_mutually_exclusive_group(required=True)
    where.add_argument("--target", help="preset name (see `dqc targets`) or network TOML file")
    where.add_argument("--qpus", type=int, help="number of QPUs of a generated network")
    sub.add_argument("--topology", choices=sorted(TOPOLOGIES),
                     help="links of the generated network (default: all-to-all)")
    sub.add_argument("--data-qubits", type=int,
                     help="data qubits per QPU (default: ceil(qubits / QPUs), tight)")
    sub.add_argument("--comm-qubits", type=int,
                     help="comm qubits per QPU of the generated network (default: 2)")
    sub.add_argument("--technology", choices=sorted(TECHNOLOGIES),
                     help="QPU technology of a generated network (default: trapped_ion; "
                          f"the generated network's defaults: {DEFAULTS_TEXT})")


def _add_verify_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--method", choices=METHODS, default="auto",
        help="auto: stim flows for Clifford circuits; for the others the exact "
             "Pauli-rotation proof, and when it gives none a simulation up to "
             "--max-sim-qubits, then QCEC (if installed); pauli: the Pauli-rotation proof "
             "alone; "
             f"qcec: QCEC for every non-Clifford circuit (needs {INSTALL_HINT}) "
             "(default: auto)")
    parser.add_argument(
        "--qcec-timeout", type=float, default=QCEC_TIMEOUT, metavar="S",
        help=f"seconds QCEC may take; reaching it is no proof, the check falls back to the "
             f"Clifford skeleton and says so; 0: no limit (default: {QCEC_TIMEOUT:g})")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dqc", description="Distributed quantum circuit compiler.", epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-V", "--version", action="version",
                        version=f"dqc {version()} ({DISTRIBUTION})")
    sub = parser.add_subparsers(dest="command", required=True)

    comp = sub.add_parser("compile", help="compile a circuit onto a network of QPUs")
    comp.add_argument("input", help=INPUT_HELP)
    comp.add_argument("-o", "--output", help="write the compiled circuit here (OpenQASM 3)")
    comp.add_argument("--report", help="write the JSON cost report here")
    _add_network_options(comp)
    comp.add_argument("--seed", type=int, default=0, help="partitioner seed (default: 0)")
    comp.add_argument("--approximation", type=float, metavar="RAD",
                      help="drop cp/crz/rzz gates within RAD radians of the identity; the "
                           "report lists them and bounds the error (default: exact)")
    comp.add_argument("--reuse", action="store_true",
                      help="reuse data qubits: a qubit measured for the last time frees its "
                           "data qubit for one that starts later; kept when it saves ebits "
                           "(the output then has no Qiskit TranspileLayout)")
    comp.add_argument("--verify", action="store_true", help="verify the output before writing it")
    comp.add_argument("-q", "--quiet", action="store_true",
                      help="no progress line on the terminal (none is drawn when stderr is "
                           "not a terminal or the compile takes under 2 s)")
    comp.add_argument("--max-sim-qubits", type=int, default=20,
                      help="simulate non-Clifford circuits up to this many qubits (default: 20)")
    _add_verify_options(comp)

    ver = sub.add_parser("verify", help="check a compiled circuit against its input")
    ver.add_argument("input", help="the original circuit")
    ver.add_argument("compiled", help="the compiled OpenQASM 3 file")
    ver.add_argument("--report", required=True, help="the JSON report written by `dqc compile`")
    ver.add_argument("--max-sim-qubits", type=int, default=20,
                     help="simulate non-Clifford circuits up to this many qubits (default: 20)")
    _add_verify_options(ver)

    est = sub.add_parser(
        "estimate", help="latency, memory, fidelity and a verdict for a circuit on a network")
    est.add_argument("input", help=INPUT_HELP)
    _add_network_options(est)
    est.add_argument("--seed", type=int, default=0,
                     help="seed of the compiler and of the Monte Carlo draws (default: 0)")
    est.add_argument("--approximation", type=float, metavar="RAD",
                     help="as for compile: drop cp/crz/rzz gates within RAD radians of the "
                          "identity (every compile of --sweep and --requirements too)")
    est.add_argument("--reuse", action="store_true",
                     help="as for compile: reuse data qubits when that saves ebits (every "
                          "compile of --sweep and --requirements too)")
    est.add_argument("-q", "--quiet", action="store_true",
                     help="no progress line on the terminal")
    est.add_argument("--samples", type=int, default=0,
                     help="Monte Carlo draws of ebit generation times (default: 0, expected "
                          "times only)")
    est.add_argument("--sweep", metavar="KEY=V1,V2,...",
                     help="vary one parameter of every link or QPU, e.g. link.rate_hz=1,10,100 "
                          f"(keys: {', '.join(SWEEP_KEYS)}); a value the circuit cannot be "
                          "compiled on is reported as such and the others computed (exit 0 "
                          "if any value compiles)")
    est.add_argument("--requirements", action="store_true",
                     help="also find, per parameter (link rate, link fidelity, memory T2, "
                          "comm qubits per QPU), the least value at which the checks it "
                          "affects pass, for feasible and for marginal, the others held")
    est.add_argument("--simulate", type=int, metavar="N",
                     help="also run the compiled circuit N shots on qiskit-aer with the "
                          "network's noise (Werner pairs, gate and readout errors, dephasing "
                          "over the scheduled waits) and print its fidelity next to the "
                          "model's (needs pip install \"dqc-compiler[sim]\"; not with --sweep)")
    est.add_argument("--json", action="store_true", help="print JSON instead of a table")
    est.add_argument("--plot", metavar="FILE.png",
                     help="draw a Gantt chart of the schedule (needs matplotlib: "
                          "pip install matplotlib); with --sweep, one file per value; "
                          "with --requirements, also the verdict against each parameter "
                          "in FILE_requirements.png")

    _add_sweep_parser(sub)
    sub.add_parser("targets", help="list the network presets with their descriptions")
    return parser


def _add_sweep_parser(sub: argparse._SubParsersAction) -> None:
    """``dqc sweep SPEC -o RESULTS [--workers N] [--scheduler ADDRESS] [--plot DIR]``."""
    swp = sub.add_parser(
        "sweep", help="a grid of circuits x networks x parameters x seeds, on Dask, "
                      "into a CSV or Parquet table (re-run to finish an interrupted one)")
    swp.add_argument("spec", help="the sweep spec, a TOML file (e.g. examples/sweep.toml)")
    swp.add_argument("-o", "--output", required=True,
                     help="results table, RESULTS.csv or RESULTS.parquet; the points it "
                          "already holds are not computed again")
    swp.add_argument("--workers", type=int,
                     help="processes of the local Dask cluster (default: the cores); 1 runs "
                          "sequentially without Dask")
    swp.add_argument("--scheduler", metavar="ADDRESS",
                     help="an existing Dask scheduler, e.g. tcp://10.0.0.5:8786")
    swp.add_argument("--time-limit", type=float, metavar="SECONDS",
                     help="per point, compile included (default: the spec's time_limit_s, "
                          "else 600)")
    swp.add_argument("--no-cache", action="store_true",
                     help="compile every point, even where only schedule parameters differ")
    swp.add_argument("--plot", metavar="DIR", help="draw the sweep's figures into DIR "
                                                   "(needs matplotlib)")


def _network(args: argparse.Namespace, num_qubits: int) -> Network:
    if args.target is not None:
        given = [f"--{name.replace('_', '-')}" for name in ("topology", "data_qubits",
                                                           "comm_qubits", "technology")
                 if getattr(args, name) is not None]
        if given:
            raise CLIError(
                f"{', '.join(given)} shape{'s' if len(given) == 1 else ''} a generated network "
                f"(--qpus), not --target {args.target}; edit the target's TOML (or sweep it "
                "with `dqc estimate --sweep qpu.comm_qubits=...`)")
        return targets.load(args.target)
    if args.qpus < 1:
        raise CLIError(f"--qpus must be a positive integer, got {args.qpus}")
    data = args.data_qubits if args.data_qubits is not None else max(
        1, math.ceil(num_qubits / args.qpus))
    if data < 1:
        raise CLIError(f"--data-qubits must be a positive integer, got {data}")
    comm = 2 if args.comm_qubits is None else args.comm_qubits
    if comm < 0:
        raise CLIError(f"--comm-qubits must be a non-negative integer, got {comm}")
    topology = TOPOLOGIES[args.topology or "all-to-all"]
    return topology(args.qpus, data_qubits=data, comm_qubits=comm, technology=args.technology)


def _assumed(args: argparse.Namespace, network: Network) -> str | None:
    """The ``assumed: ...`` line when the network's figures are defaults, else None."""
    default_tech = [q.name for q in network.qpus if q.technology is None]
    if args.qpus is not None:
        what = (DEFAULTS_TEXT if args.technology is None else
                f"{args.technology} QPUs joined by {DEFAULT_LINKS_TEXT}")
    elif default_tech:
        what = f"{DEFAULT_TECHNOLOGY.name} technology for {', '.join(default_tech)}"
    else:
        return None
    return f"assumed: {what} (pass --technology / --target to change)"


def _with_assumed(entry: dict, assumed: str | None) -> dict:
    """A JSON entry with ``"assumed": "<what>"`` after ``"network"`` when defaults were used."""
    if not assumed:
        return entry
    out = {}
    for key, value in entry.items():
        out[key] = value
        if key == "network":
            out["assumed"] = assumed.removeprefix("assumed: ")
    return out


def _header(path: str, circuit: QuantumCircuit, network: Network) -> str:
    """``in.qasm: 6 qubits, 12 operations -> 2 QPUs (name)``."""
    return (f"{path}: {plural(circuit.num_qubits, 'qubit')}, "
            f"{plural(circuit.size(), 'operation')} -> {plural(len(network.qpus), 'QPU')} "
            f"({network.name or network.summary()})")


def _check_writable(path: str) -> None:
    target = Path(path)
    if target.parent and not target.parent.is_dir():
        raise CLIError(f"cannot write '{path}': folder '{target.parent}' does not exist")
    if target.is_dir():
        raise CLIError(f"cannot write '{path}': it is a folder")


def _write_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all."""
    target = Path(path)
    _check_writable(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


def _cmd_compile(args: argparse.Namespace) -> int:
    for path in (args.output, args.report):  # fail before writing either file
        if path:
            _check_writable(path)
    circuit = load_circuit(args.input)
    network = _network(args, circuit.num_qubits)
    start = time.perf_counter()
    result = compile_circuit(circuit, network, seed=args.seed,
                             approximation=args.approximation, reuse=args.reuse,
                             progress=None if args.quiet else StageProgress.for_terminal())
    seconds = time.perf_counter() - start
    report = result.report
    qasm = to_qasm3(result.circuit)  # before writing anything: export errors surface first
    print(_header(args.input, circuit, network))
    assumed = _assumed(args, network)
    if assumed:
        print(assumed)
    print(report.summary())
    print(f"compile time: {seconds:.2f} s")
    status = 0
    if args.verify:
        start = time.perf_counter()
        outcome = verify(circuit, result.circuit, report, **_verify_options(args))
        print(f"{outcome} [{time.perf_counter() - start:.2f} s]")
        report = Report(**{**report.__dict__, "verification": outcome.to_dict()})
        if not outcome.ok:
            print("dqc: error: the compiled circuit failed verification; nothing written",
                  file=sys.stderr)
            return 1
    if args.output:
        _write_atomic(args.output, qasm)
    if args.report:
        _write_atomic(args.report, report.to_json())
    written = [p for p in (args.output, args.report) if p]
    if written:
        print("wrote " + ", ".join(written))
    return status


def _plot_paths(path: str, values: list | None) -> list[str]:
    if values is None:
        return [path]
    target = Path(path)
    return [str(target.with_name(f"{target.stem}_{v:g}{target.suffix}")) for v in values]


def _cmd_estimate(args: argparse.Namespace) -> int:
    if args.samples < 0:
        raise CLIError(f"--samples must be a non-negative integer, got {args.samples}")
    if args.requirements and args.sweep is not None:
        raise CLIError("--requirements searches each parameter itself; give it without "
                       f"--sweep {args.sweep}")
    if args.simulate is not None and (args.simulate < 1 or args.sweep is not None):
        raise CLIError(f"--simulate takes a positive number of shots and one estimate (not "
                       f"--sweep); got --simulate {args.simulate}")
    sweep = parse_sweep(args.sweep) if args.sweep is not None else None
    plots = _plot_paths(args.plot, sweep[1] if sweep else None) if args.plot else []
    req_plot = (str(Path(args.plot).with_name(f"{Path(args.plot).stem}_requirements"
                                              f"{Path(args.plot).suffix}"))
                if args.plot and args.requirements else None)
    for path in plots + ([req_plot] if req_plot else []):
        _check_writable(path)
    circuit = load_circuit(args.input)
    network = _network(args, circuit.num_qubits)
    single: Estimate | None = None
    estimates: tuple[Estimate | SweepFailure, ...]
    # progress bars only on a terminal (stderr), never with --json
    if sweep is None:  # a circuit that cannot be compiled fails here (one error line)
        quiet = args.json or args.quiet
        bar = None if quiet else tty_progress("Monte Carlo samples")
        single = estimate(circuit, network, seed=args.seed, samples=args.samples, progress=bar,
                          approximation=args.approximation, reuse=args.reuse,
                          stages=None if quiet else StageProgress.for_terminal())
        if args.requirements:
            single = replace(single, requirements=requirements(
                circuit, network, seed=args.seed, estimated=single,
                approximation=args.approximation, reuse=args.reuse))
        if args.simulate is not None:
            single = replace(single, simulation=simulate_estimate(
                circuit, single, shots=args.simulate, seed=args.seed))
        estimates = (single,)
    else:
        # a value the circuit does not fit comes back as a SweepFailure; the rest go on
        bar = None if args.json else tty_progress(sweep[0])
        estimates = estimate_sweep(circuit, network, sweep[0], sweep[1], seed=args.seed,
                                   samples=args.samples, progress=bar,
                                   approximation=args.approximation, reuse=args.reuse)
    written = []
    for path, e in zip(plots, estimates):
        if not isinstance(e, Estimate):
            continue  # nothing to draw for a value that cannot be compiled
        title = f"{Path(args.input).name} on {network.name or network.summary()}"
        if e.sweep is not None:
            title += f", {e.sweep[0]} = {e.sweep[1]:g}"
        plot_schedule(e.schedule, e.network, path, title=title)
        written.append(path)
    if req_plot and single is not None and isinstance(single.requirements, Requirements):
        plot_requirements(single.requirements, req_plot,
                          title=f"{Path(args.input).name} on {network.name or network.summary()}")
        written.append(req_plot)
    assumed = _assumed(args, network)
    if args.json:  # the assumption goes into every entry, after "network"
        entries = [_with_assumed(e.to_dict(), assumed) for e in estimates]
        print(json.dumps(entries[0] if single is not None else entries, indent=2))
    else:
        print(_header(args.input, circuit, network))
        if assumed:
            print(assumed)
        if single is not None:
            print(single.summary())
        else:
            print(render_sweep(estimates))
    if written:
        print("wrote " + ", ".join(written), file=sys.stderr if args.json else sys.stdout)
    failed = [e for e in estimates if isinstance(e, SweepFailure)]
    if sweep is not None and len(failed) == len(estimates):
        # nothing compiled: the table or JSON above says why for each value
        values = ", ".join(f"{e.sweep[1]:g}" for e in failed)
        print(f"dqc: error: the circuit cannot be compiled for any value of {sweep[0]} "
              f"({values}); for {sweep[0]}={failed[0].sweep[1]:g}: {failed[0].error}",
              file=sys.stderr)
        return 2
    return 0


def _verify_options(args: argparse.Namespace) -> dict:
    """``verify``'s keyword arguments from the command line."""
    if args.qcec_timeout < 0:
        raise CLIError(f"--qcec-timeout must be 0 (no limit) or more, got {args.qcec_timeout:g}")
    return {"max_sim_qubits": args.max_sim_qubits, "method": args.method,
            "qcec_timeout": args.qcec_timeout or None}


def _cmd_verify(args: argparse.Namespace) -> int:
    original = load_circuit(args.input)
    compiled = load_circuit(args.compiled)
    report_path = Path(args.report)
    if not report_path.is_file():
        raise CLIError(f"report file '{report_path}' not found")
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
        if not isinstance(report, dict):
            raise ValueError(f"expected a JSON object, got {type(report).__name__}")
        Report.from_dict(report)
    except KeyError as exc:
        raise CLIError(f"'{report_path}' is not a dqc report: no key {exc}") from None
    except (json.JSONDecodeError, TypeError, ValueError, AttributeError) as exc:
        raise CLIError(f"'{report_path}' is not a dqc report: {exc}") from None
    start = time.perf_counter()
    outcome = verify(original, compiled, report, **_verify_options(args))
    print(f"{outcome} [{time.perf_counter() - start:.2f} s]")
    return 0 if outcome.ok else 1


def _cmd_sweep(args: argparse.Namespace) -> int:
    if args.workers is not None and args.workers < 1:
        raise CLIError(f"--workers must be a positive integer, got {args.workers}")
    if args.time_limit is not None and not args.time_limit > 0:
        raise CLIError(f"--time-limit must be a positive number of seconds, "
                       f"got {args.time_limit:g}")
    limit = {} if args.time_limit is None else {"time_limit_s": args.time_limit}
    summary = sweep(args.spec, args.output, workers=args.workers, scheduler=args.scheduler,
                    cache=not args.no_cache, progress=tty_bar(), plot=args.plot, **limit)
    print(summary)
    print("wrote " + ", ".join(map(str, (summary.path, *summary.figures))))
    return 0


def _cmd_targets(_: argparse.Namespace) -> int:
    names = targets.available()
    width = max(map(len, names))
    for name in names:
        print(f"{name:{width}s}  {targets.description(name)}")
        print(f"{'':{width}s}  {targets.load(name).summary()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 1 verification failed, 2 bad input)."""
    args = _parser().parse_args(argv)
    handler = {"compile": _cmd_compile, "estimate": _cmd_estimate, "sweep": _cmd_sweep,
               "verify": _cmd_verify, "targets": _cmd_targets}
    try:
        return handler[args.command](args)
    except DQCError as exc:
        print(f"dqc: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"dqc: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
