"""QPU and Link values and their validation (dqc.network.parts)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dqc import targets
from dqc.errors import NetworkError
from dqc.network import QPU, Link
from dqc.network.parts import (
    DEFAULT_FIDELITY,
    DEFAULT_LATENCY_S,
    DEFAULT_RATE_HZ,
    DEFAULTS_TEXT,
)
from dqc.network.physics import DEFAULT_TECHNOLOGY


# --------------------------------------------------------------------------- QPU
def test_qpu_defaults_and_hashable() -> None:
    q = QPU("a", 5)
    assert q.comm_qubits == 2
    assert hash(q) == hash(QPU("a", 5, 2))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"name": "a", "data_qubits": 0},
            "QPU 'a' has data_qubits=0; it must be a positive integer",
        ),
        ({"name": "a", "data_qubits": True}, "QPU 'a' has data_qubits=True; it must be a positive"),
        ({"name": "a", "data_qubits": 2.0}, "QPU 'a' has data_qubits=2.0; it must be a positive"),
        ({"name": "a", "data_qubits": "4"}, "QPU 'a' has data_qubits='4'; it must be a positive"),
        (
            {"name": "a", "data_qubits": 1, "comm_qubits": -1},
            "QPU 'a' has comm_qubits=-1; it must be a non-negative integer",
        ),
        (
            {"name": "my-qpu", "data_qubits": 1},
            "QPU name 'my-qpu' is not an identifier "
            "(letters, digits, '_'; not starting with a digit)",
        ),
        ({"name": "0a", "data_qubits": 1}, "QPU name '0a' is not an identifier"),
        ({"name": "", "data_qubits": 1}, "QPU name '' is not an identifier"),
        ({"name": 3, "data_qubits": 1}, "QPU name 3 is not an identifier"),
        ({"name": "a_comm", "data_qubits": 1}, "QPU name 'a_comm' ends with '_comm'"),
    ],
)
def test_qpu_validation(kwargs: dict, message: str) -> None:
    with pytest.raises(NetworkError) as info:
        QPU(**kwargs)
    assert str(info.value).startswith(message)


def test_qpu_zero_comm_qubits_allowed_and_numpy_ints_normalised() -> None:
    q = QPU("a", np.int64(3), 0)
    assert q == QPU("a", 3, 0)
    assert type(q.data_qubits) is int


# -------------------------------------------------------------------------- Link
def test_link_key_and_defaults() -> None:
    link = Link("b", "a")
    assert link.key == "b-a"
    assert (link.rate_hz, link.fidelity, link.latency_s) == (
        DEFAULT_RATE_HZ, DEFAULT_FIDELITY, DEFAULT_LATENCY_S)


def test_link_defaults_are_the_cited_oxford_ion_link() -> None:
    """The defaults are the link of targets/lab2.toml (Stephenson et al. 2020, which cites
    them) between QPUs of the default technology, trapped ions."""
    lab2 = targets.load("lab2")
    (cited,) = lab2.links
    assert (cited.rate_hz, cited.fidelity, cited.latency_s) == (
        DEFAULT_RATE_HZ, DEFAULT_FIDELITY, DEFAULT_LATENCY_S)
    assert {q.profile for q in lab2.qpus} == {DEFAULT_TECHNOLOGY} == {QPU("a", 1).profile}
    assert DEFAULTS_TEXT.startswith(f"{DEFAULT_TECHNOLOGY.name} QPUs joined by "
                                    f"{DEFAULT_RATE_HZ:g} Hz photonic links")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate_hz": 0}, "link a-b has rate_hz=0; it must be positive"),
        ({"rate_hz": -3.5}, "link a-b has rate_hz=-3.5; it must be positive"),
        ({"rate_hz": math.inf}, "link a-b has rate_hz=inf; it must be positive and finite"),
        ({"rate_hz": math.nan}, "link a-b has rate_hz=nan; it must be positive and finite"),
        ({"rate_hz": "10"}, "link a-b has rate_hz='10'; it must be a number"),
        ({"fidelity": 0.4}, "link a-b has fidelity=0.4; it must be in (0.5, 1]"),
        ({"fidelity": 0.5}, "link a-b has fidelity=0.5; it must be in (0.5, 1]"),
        ({"fidelity": 1.01}, "link a-b has fidelity=1.01; it must be in (0.5, 1]"),
        ({"latency_s": -1}, "link a-b has latency_s=-1; it must be >= 0"),
        ({"latency_s": True}, "link a-b has latency_s=True; it must be a number"),
    ],
)
def test_link_validation(kwargs: dict, message: str) -> None:
    with pytest.raises(NetworkError) as info:
        Link("a", "b", **kwargs)
    assert str(info.value) == message


def test_link_edge_values_accepted() -> None:
    link = Link("a", "b", rate_hz=1, fidelity=1, latency_s=0)
    assert (link.rate_hz, link.fidelity, link.latency_s) == (1.0, 1.0, 0.0)
    assert type(link.rate_hz) is float


def test_link_to_itself() -> None:
    with pytest.raises(NetworkError, match="^link a-a joins a QPU to itself$"):
        Link("a", "a")
