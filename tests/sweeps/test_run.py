"""dqc.sweep: the rows, resume, failures, Dask (local, killed worker, separate processes)."""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from qiskit import qasm2

import dqc
from dqc.cli import main
from dqc.errors import DQCError
from dqc.sweeps import parse_spec, read_table
from dqc.sweeps.compute import TIMINGS
from dqc.sweeps.points import expand
from tests.helpers import ROOT, two_phases

distributed = pytest.importorskip("distributed")

SPEC = {
    "seeds": [0, 1],
    "circuits": [{"family": "ghz", "sizes": [5]}, {"family": "qft", "sizes": [5]},
                 {"family": "qv", "sizes": [4], "seed": 2}],
    "networks": [{"factory": "line", "qpus": 2, "name": "line"},
                 {"preset": "lab2"},
                 {"factory": "ring", "qpus": 3, "data_qubits": 2, "comm_qubits": 0}],
    "grid": {"link.rate_hz": [10, 1000], "qpu.t2_s": [0.1, 1.0]},
    "compute": {"verify": True, "time_limit_s": 120},
}  # 3 x 3 x 4 x 2 = 72 points in 18 compiles; the ring has no comm qubits: failed rows


def spec(**changes):
    return parse_spec({**SPEC, **changes}, base=ROOT)


def strip(rows):
    return [{k: v for k, v in r.items() if k not in TIMINGS} for r in rows]


@pytest.fixture(scope="module")
def sequential(tmp_path_factory):
    path = tmp_path_factory.mktemp("seq") / "r.csv"
    summary = dqc.sweep(spec(), path, workers=1)
    return summary, read_table(path)


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:
        yield c


def test_sequential_rows(sequential):
    summary, rows = sequential
    assert (summary.points, summary.computed, summary.skipped, summary.tasks) == (72, 72, 0, 18)
    assert [r["point"] for r in rows] == list(range(72))
    ok = [r for r in rows if r["status"] == "ok"]
    failed = [r for r in rows if r["status"] == "failed"]
    assert {r["network"] for r in failed} == {"ring3"} and len(failed) == summary.failed == 24
    assert all("CapacityError" in r["error"] and "comm qubit" in r["error"] for r in failed)
    assert all(r["verified"] is True and r["verification"] for r in ok)  # every compile verified
    assert {r["dqc_version"] for r in rows} == {dqc.__version__}
    assert len({r["input_hash"] for r in rows}) == 72


def test_rows_are_what_dqc_estimate_gives(sequential):
    """A shared compile gives each point what its own dqc.estimate would."""
    points = {p.input_hash: p for p in expand(spec())}
    circuits = {c.name: c.circuit for c in spec().circuits}
    for row in sequential[1][::5]:
        if row["status"] != "ok":
            continue
        p = points[row["input_hash"]]
        e = dqc.estimate(circuits[p.circuit], p.net, seed=p.seed)
        assert (row["ebits"], row["makespan_s"], row["makespan_bound_s"], row["verdict"],
                row["log10_fidelity"]) == (e.report.ebits, e.schedule.makespan_s,
                                           e.schedule.lower_bound_s, e.verdict.status,
                                           e.schedule.fidelity.log10_total)


def test_dask_and_no_cache_give_the_same_rows(sequential, client, tmp_path):
    on_dask = tmp_path / "dask.csv"
    summary = dqc.sweep(spec(), on_dask, client=client)
    assert summary.computed == 72 and summary.tasks == 18
    assert strip(read_table(on_dask)) == strip(sequential[1])
    uncached = tmp_path / "nocache.parquet"
    summary = dqc.sweep(spec(), uncached, client=client, cache=False)
    assert summary.tasks == 72
    parquet = strip(read_table(uncached))
    assert parquet == strip(sequential[1])  # same values, typed the same in both formats


def test_a_sweep_with_reuse(tmp_path):
    """two_phases on two QPUs of 2: 2 ebits as compiled, 1 reusing a freed data qubit
    (tests/helpers.py); every row verified, its births and deaths given; with
    requirements too."""
    (tmp_path / "two_phases.qasm").write_text(qasm2.dumps(two_phases()))
    parts = {"seeds": [0], "circuits": [{"file": "two_phases.qasm"}],
             "networks": [{"factory": "all-to-all", "qpus": 2, "comm_qubits": 2}],
             "grid": {"link.rate_hz": [10, 1000]}}
    figures = {}
    for reuse, required in ((False, False), (True, False), (True, True)):
        path = tmp_path / f"reuse_{reuse}_{required}.csv"
        compute = {"verify": True, "reuse": reuse, "requirements": required}
        dqc.sweep(parse_spec({**parts, "compute": compute}, base=tmp_path), path, workers=1)
        rows = read_table(path)
        assert all(r["status"] == "ok" and r["verified"] is True for r in rows)
        assert all((r.get("req.qpu.comm_qubits.marginal") is not None) == required
                   for r in rows)
        figures[reuse, required] = {(r["ebits"], r.get("births"), r.get("deaths"))
                                    for r in rows}
    assert figures == {(False, False): {(2, None, None)}, (True, False): {(1, 0, 4)},
                       (True, True): {(1, 0, 4)}}


def test_resume_computes_only_missing_points(sequential, tmp_path):
    path = tmp_path / "r.csv"
    dqc.sweep(spec(), path, workers=1)
    lines = path.read_text().splitlines(keepends=True)
    dropped = {row["input_hash"] for row in read_table(path)[10:17]}
    path.write_text("".join(lines[:11] + lines[18:]) + lines[18][:25])  # a cut-short line too
    summary = dqc.sweep(spec(), path, workers=1)
    assert (summary.computed, summary.skipped) == (7, 65)
    assert strip(read_table(path)) == strip(sequential[1])
    assert {r["input_hash"] for r in read_table(path)} >= dropped
    assert dqc.sweep(spec(), path, workers=1).computed == 0


def test_interrupted_parquet_sweep_keeps_its_rows_and_resumes(tmp_path):
    path = tmp_path / "r.parquet"
    seen = []

    def stop(progress):
        seen.append(progress.done)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        dqc.sweep(spec(), path, workers=1, progress=stop)
    kept = read_table(path)
    assert len(kept) == seen[-1] and not (tmp_path / "r.parquet.journal").exists()
    summary = dqc.sweep(spec(), path, workers=1)
    assert summary.computed == 72 - len(kept) and summary.skipped == len(kept)
    assert len(read_table(path)) == 72


def test_a_point_over_the_time_limit_is_a_failed_row(tmp_path):
    s = spec(circuits=[{"family": "qft", "sizes": [24]}], networks=[SPEC["networks"][0]],
             grid={"link.rate_hz": [10]}, seeds=[0],
             compute={"requirements": True, "time_limit_s": 0.3})
    summary = dqc.sweep(s, tmp_path / "r.csv", workers=1)
    rows = read_table(tmp_path / "r.csv")
    assert summary.computed == 1 and rows[0]["status"] == "failed"
    assert rows[0]["error"].startswith("timed out after 0.3 s")


def test_a_killed_worker_does_not_lose_points(client, sequential, tmp_path):
    killed = []

    def kill_a_busy_worker(progress):
        if killed:
            return
        busy = [addr for addr, keys in client.processing().items() if keys]
        if busy:
            pids = client.run(os.getpid, workers=busy[:1])
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append(busy[0])

    path = tmp_path / "r.csv"
    summary = dqc.sweep(spec(), path, client=client, progress=kill_a_busy_worker)
    assert killed
    assert summary.computed == 72
    assert strip(read_table(path)) == strip(sequential[1])


def test_missing_dask_is_one_line_naming_the_extra(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(DQCError, match=r'pip install "\.\[sweep\]"'):
        dqc.sweep(spec(), tmp_path / "r.csv", workers=2)
    spec_file = tmp_path / "s.toml"
    spec_file.write_text('[[circuits]]\nfamily = "ghz"\nsizes = [3]\n'
                         '[[networks]]\nfactory = "line"\nqpus = 2\n')
    assert main(["sweep", str(spec_file), "-o", str(tmp_path / "r.csv"), "--workers", "2"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cli_on_a_separate_scheduler_and_two_workers(tmp_path, capsys):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    python = sys.executable
    procs = [subprocess.Popen([python, "-m", "distributed.cli.dask_scheduler", "--host",
                               "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for _ in range(2):
            procs.append(subprocess.Popen(
                [python, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                 "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with distributed.Client(address, timeout="60s") as c:
            c.wait_for_workers(2, timeout=60)
        spec_file = tmp_path / "s.toml"
        spec_file.write_text('seeds = [0, 1]\n[[circuits]]\nfamily = "ghz"\nsizes = [4]\n'
                             '[[networks]]\nfactory = "line"\nqpus = 2\n'
                             '[grid]\n"qpu.comm_qubits" = [1, 2]\n')
        out = tmp_path / "r.csv"
        assert main(["sweep", str(spec_file), "-o", str(out), "--scheduler", address,
                     "--plot", str(tmp_path / "figs")]) == 0
        printed = capsys.readouterr()
        assert "4 points computed (0 failed) in 4 compiles" in printed.out
        assert printed.err == ""  # no progress bar when not a terminal
        with open(out, newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert [r["status"] for r in rows] == ["ok"] * 4
        assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == [
            "lines_ghz_n4_qpu.comm_qubits.png"]
    finally:
        for proc in reversed(procs):
            proc.terminate()
        deadline = time.monotonic() + 20
        for proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
