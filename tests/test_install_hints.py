"""Install hints name something that installs dqc's own dependencies.

The distribution is ``dqc-compiler``: on the package index the name ``dqc`` belongs to
another project, so a hint ``pip install "dqc[sim]"`` would install the wrong package.
A hint names the real dependency (``pip install qiskit-aer``) or an extra from the
checkout (``pip install ".[sim]"``).
"""

from __future__ import annotations

import re
import subprocess

from dqc.network.toml import tomllib
from tests.helpers import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: ``dqc[...]``, the extra syntax on the wrong distribution name.
FOREIGN_EXTRA = re.compile(r"\bdqc\[")
#: ``pip install ".[sim,plot]"`` and the like: extras of the checkout.
CHECKOUT_EXTRA = re.compile(r"""pip install (?:-e )?["']?\.\[([\w,]+)\]""")


def tracked_text_files() -> dict[str, str]:
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    files = {}
    for name in names:
        try:
            files[name] = (ROOT / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue  # binary (figures) or deleted in the work tree
    return files


def test_distribution_name_is_not_the_taken_one():
    assert PYPROJECT["project"]["name"] == "dqc-compiler"
    assert PYPROJECT["project"]["scripts"]["dqc"] == "dqc.cli:main"  # the command stays


def test_no_tracked_file_says_dqc_extra():
    files = tracked_text_files()
    assert "README.md" in files and "dqc/adapter/aer.py" in files  # the listing works
    found = [f"{name}:{i}: {line.strip()}"
             for name, text in files.items()
             for i, line in enumerate(text.splitlines(), 1)
             if FOREIGN_EXTRA.search(line) and name != "tests/test_install_hints.py"]
    assert not found, "\n".join(found)


def test_checkout_extras_in_hints_exist():
    extras = set(PYPROJECT["project"]["optional-dependencies"])
    named = {extra
             for text in tracked_text_files().values()
             for group in CHECKOUT_EXTRA.findall(text)
             for extra in group.split(",")}
    assert {"sim", "plot", "test"} <= named  # README's hints, .ci/run
    assert named <= extras, named - extras


def test_patterns_catch_the_old_hints():
    assert FOREIGN_EXTRA.search("""needs qiskit-aer: pip install 'dqc[sim]' (or qiskit-aer)""")
    assert not FOREIGN_EXTRA.search("pip install qiskit-aer (or pip install '.[sim]')")
    assert CHECKOUT_EXTRA.findall("""pip install ".[sim,plot]" and pip install -e ".[test]" """
                                  ) == ["sim,plot", "test"]
