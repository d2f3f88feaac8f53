"""Same input, same seed, same bytes — whatever ``PYTHONHASHSEED`` the interpreter draws.

Each run is a fresh interpreter (``benchmarks.determinism``), so set and dict orders that
depend on string hashing differ between them; the compiled OpenQASM 3 and the JSON report
must not. Across Python versions the same comparison runs in CI (``.ci/run``) and in
``python -m benchmarks.determinism --python python3.12 python3.13``.
"""

from __future__ import annotations

from benchmarks.determinism import main


def test_output_and_report_do_not_depend_on_the_hash_seed(capsys):
    status = main(["--quick", "--qpus", "2", "4", "--hash-seeds", "0", "1", "987654321"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert out.count("identical") == 2, out
    assert out.startswith("8 cases;"), out
