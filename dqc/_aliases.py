"""Old module paths (before the layered package, 0.1) kept importable for one release.

``import dqc.schedule`` still works and gives the very module ``dqc.estimation.schedule``
(the same object: patching one patches the other), with a :class:`DeprecationWarning`
naming the new path. The table is the whole mechanism: a meta path finder that answers
only for these names.

Examples:
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     from dqc.schedule import fmt_time
    >>> fmt_time(0.0015), str(caught[0].message)
    ('1.5 ms', 'dqc.schedule is now dqc.estimation.schedule; the old path goes in 0.3')
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from types import ModuleType

#: old module path -> new module path
MOVED = {
    "dqc.physics": "dqc.network.physics",
    "dqc.cost_model": "dqc.plan.cost_model",
    "dqc.embedding": "dqc.plan.embedding",
    "dqc.teledata": "dqc.plan.teledata",
    "dqc.weighted_cover": "dqc.plan.weighted_cover",
    "dqc.report": "dqc.estimation.report",
    "dqc.schedule": "dqc.estimation.schedule",
    "dqc.verdict": "dqc.estimation.verdict",
    "dqc.plot": "dqc.estimation.plot",
    "dqc.deferral": "dqc.verification.deferral",
    "dqc.simulate": "dqc.verification.simulate",
    "dqc.stim_translation": "dqc.verification.stim_translation",
    "dqc.qiskit_target": "dqc.adapter.target",
    "dqc.layout": "dqc.adapter.layout",
    "dqc.aer": "dqc.adapter.aer",
}


class _Loader(importlib.abc.Loader):
    """Loads an old path as the module at its new path (the same object)."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self.spec = module.__spec__  # importlib overwrites __spec__; exec_module restores it
        return module

    def exec_module(self, module: ModuleType) -> None:
        module.__spec__ = self.spec


class _Finder(importlib.abc.MetaPathFinder):
    """Finds the old paths of :data:`MOVED` (and nothing else)."""

    def find_spec(self, fullname: str, path: object = None,
                  target: object = None) -> importlib.machinery.ModuleSpec | None:
        new = MOVED.get(fullname)
        if new is None:
            return None
        warnings.warn(f"{fullname} is now {new}; the old path goes in 0.3",
                      DeprecationWarning, stacklevel=2)
        return importlib.machinery.ModuleSpec(fullname, _Loader(new))


def install() -> None:
    """Put the finder on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.append(_Finder())
