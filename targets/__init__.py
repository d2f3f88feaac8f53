"""Network presets: TOML files shipped with dqc, and a loader for user files.

Each preset is ``targets/<name>.toml`` in the format read by
:meth:`dqc.network.Network.from_toml`; every figure in it carries a comment naming
its source (a paper, or how it was estimated).

* ``lab2``: two trapped-ion nodes in one lab (Stephenson et al., PRL 2020);
* ``metro4``: four NV-centre QPUs in a 25 km metro ring, links given directly;
* ``metro_ring``: four trapped-ion QPUs in a 25 km ring, links given physically;
* ``star_hub``: a trapped-ion hub with four satellites over 2 km of fibre;
* ``hetero4``: superconducting and trapped-ion QPUs with microwave, optical and
  transducer links.

QPU technology profiles (``technology = "nv"``) are in :mod:`dqc.network.physics`.

Examples:
    >>> "metro4" in available()
    True
    >>> load("metro4").summary()
    '4 QPUs (ring), 40 data + 8 comm qubits, 4 links'
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from dqc.errors import NetworkError
from dqc.network import Network
from dqc.network.toml import read

__all__ = ["available", "description", "load"]


def available() -> list[str]:
    """Names of the bundled presets, sorted.

    Examples:
        >>> {"lab2", "metro4", "metro_ring", "star_hub", "hetero4"} <= set(available())
        True
    """
    files = resources.files(__name__)
    return sorted(
        entry.name[: -len(".toml")]
        for entry in files.iterdir()
        if entry.name.endswith(".toml") and entry.is_file()
    )


def load(name_or_path: str | os.PathLike[str]) -> Network:
    """A preset by name (``"metro4"``), or a network read from a TOML file.

    A ``Path``, a string ending in ``.toml``, or a string naming an existing file is read
    as a file; any other string must be a preset name.

    Args:
        name_or_path: Preset name, or path to a ``.toml`` network file.

    Raises:
        NetworkError: For an unknown preset name, a missing file, or an invalid network.

    Examples:
        >>> load("lab2").qpu_names
        ('alice', 'bob')
    """
    if isinstance(name_or_path, os.PathLike):
        return Network.from_toml(Path(name_or_path))
    if not isinstance(name_or_path, str):
        raise NetworkError(
            f"target must be a preset name or a path to a .toml file, got {name_or_path!r}"
        )
    if name_or_path.endswith(".toml") or os.path.isfile(name_or_path):
        return Network.from_toml(name_or_path)
    presets = available()
    if name_or_path not in presets:
        raise NetworkError(
            f"unknown target {name_or_path!r}: known presets are {', '.join(presets)}; "
            "or give a path to a .toml file"
        )
    resource = resources.files(__name__) / f"{name_or_path}.toml"
    with resources.as_file(resource) as path:
        return Network.from_toml(path)


def description(name: str) -> str:
    """The one-line ``description`` a bundled preset's TOML file gives (``""`` if none).

    Raises:
        NetworkError: For an unknown preset name.

    Examples:
        >>> description("lab2")
        '2 trapped-ion nodes ~2 m apart (Stephenson et al., PRL 2020)'
    """
    presets = available()
    if name not in presets:
        raise NetworkError(f"unknown target {name!r}: known presets are {', '.join(presets)}")
    with resources.as_file(resources.files(__name__) / f"{name}.toml") as path:
        return str(read(path).get("description", ""))
