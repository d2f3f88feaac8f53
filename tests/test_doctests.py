"""Run the docstring examples of every dqc module (they are part of the docs)."""

import doctest
import importlib
import pkgutil

import pytest

import dqc


def _modules():
    names = ["dqc"]
    for pkg in ("dqc", "dqc.passes", "dqc.targets"):
        module = importlib.import_module(pkg)
        names += [m.name for m in pkgutil.walk_packages(module.__path__, prefix=f"{pkg}.")]
    return sorted(set(names) - {"dqc.__main__"})


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest failures in {name}"


def test_public_surface():
    assert set(dqc.__all__) >= {"Network", "QPU", "Link", "compile", "verify", "load_circuit"}


def test_subpackages_reachable_after_import_dqc():
    assert dqc.targets.available() and "generate_pass_manager" in dqc.passes.__all__
