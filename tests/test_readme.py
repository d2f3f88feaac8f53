"""The README tells the truth: its Python example runs, its commands name real files."""

from __future__ import annotations

import re

import pytest

import dqc.cli
from tests.helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_python_example_runs_and_prints_what_it_says(capsys):
    block = re.search(r"```python\n(.*?)```", README, re.DOTALL).group(1)
    exec(compile(block, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "2 {'qpu0-qpu1': 1, 'qpu1-qpu2': 1}"
    assert printed[1].startswith("verified (stim-flows)")


def test_first_command_compiles_the_bundled_example(tmp_path, capsys, monkeypatch):
    command = re.search(r"pip install \. && (dqc compile [^\n`]*)", README).group(1)
    args = command.split()[1:]
    monkeypatch.chdir(ROOT)
    args = [str(tmp_path / a) if a.endswith((".dqc.qasm", ".json")) else a for a in args]
    assert dqc.cli.main(args) == 0
    out = capsys.readouterr().out
    assert "verified (" in out and "ebits:" in out
    shown = re.search(r"What the first command prints.*?```\n(.*?)```", README, re.DOTALL).group(1)
    ebits_line = next(line for line in shown.splitlines() if line.startswith("ebits:"))
    assert ebits_line in out  # the figures shown in the README are the ones it produces


def test_test_command_is_what_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest -q" in README and "python -m pytest -q" in ci


@pytest.mark.slow
def test_readme_use_with_qiskit_snippets_run_and_print_what_they_say(capsys):
    """The five snippets of the README's "Use with Qiskit" section, run in order (they
    use Aer: ``qiskit-aer`` is a test dependency)."""
    section = README[README.index("## Use with Qiskit"):]
    section = section[:section.index("\n## ", 1)]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 5
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    printed = capsys.readouterr().out.splitlines()
    expected = []
    for block in blocks:
        for line in block.splitlines():
            shown = re.search(r"print\(.*\)\s+# (.*)$", line)
            if shown:
                expected.append(shown.group(1))
            elif line.startswith("# ") and expected and expected[-1] is None:
                expected[-1] = line[2:].split("   (")[0]
            elif line.startswith("print("):
                expected.append(None)
    assert len(printed) == len(expected)
    for got, want in zip(printed, expected):
        if want is not None:
            assert got == want


def test_sweep_section_snippet_and_commands(tmp_path, capsys, monkeypatch):
    """The "Sweep a design space" section: its Python snippet prints what it says, and its
    commands name the bundled spec and options the parser takes."""
    section = README[README.index("## Sweep a design space"):]
    section = section[:section.index("\n## ", 1)]
    block = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    expected = []
    for line in block.splitlines():
        if line.startswith("print("):
            shown = re.search(r"\)\s+# (.*)$", line)
            expected.append(shown.group(1) if shown else None)
        elif line.startswith("# ") and expected and expected[-1] is None:
            expected[-1] = line[2:]  # shown on the next line
    assert printed == expected and None not in expected
    commands = re.findall(r"^(?:pip install [^&]*&& )?(dqc sweep [^#\n]*)", section, re.M)
    assert len(commands) == 2
    monkeypatch.chdir(ROOT)
    for command in commands:
        args = dqc.cli._parser().parse_args(command.split()[1:])
        assert (ROOT / args.spec).is_file() and args.output.endswith((".csv", ".parquet"))
