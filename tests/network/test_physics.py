"""Link physics and QPU technology profiles (dqc.network.physics; physical fields of Network)."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest

from dqc import targets
from dqc.errors import NetworkError
from dqc.network import QPU, Link, Network
from dqc.network.physics import (
    C_FIBRE_KM_S,
    DEFAULT_TECHNOLOGY,
    TECHNOLOGIES,
    Technology,
    fibre_transmission,
    link_rate_hz,
    success_probability,
    technology,
)


# --------------------------------------------------------------------- formulas
def test_fibre_and_heralding_formulas() -> None:
    """p = η 10^(-αL/10); attempts capped by the heralding round trip; latency L/c + t_e."""
    assert fibre_transmission(100.0) == pytest.approx(0.01)            # 20 dB
    assert fibre_transmission(10.0, 1.0) == pytest.approx(0.1)
    assert success_probability(50.0, efficiency=0.2) == pytest.approx(0.02)
    # 1 km midpoint: round trip 5 us -> at most 200 kHz; 1 kHz hardware binds
    assert link_rate_hz(1.0, attempt_rate_hz=1e3, efficiency=0.5) == pytest.approx(
        1e3 * 0.5 * 10 ** -0.02)
    # 100 km midpoint: 0.5 ms -> 2 kHz; sender-receiver: 1 ms -> 1 kHz
    assert link_rate_hz(100.0, attempt_rate_hz=1e9, efficiency=1.0) == pytest.approx(2e3 * 0.01)
    assert link_rate_hz(100.0, attempt_rate_hz=1e9, efficiency=1.0,
                        heralding="sender_receiver") == pytest.approx(1e3 * 0.01)
    assert C_FIBRE_KM_S == 2e5


def test_physical_link_derives_rate_and_latency() -> None:
    link = Link("a", "b", length_km=25, attempt_rate_hz=1e6, efficiency=0.004,
                electronics_s=2e-3, fidelity=0.95, channels=3)
    assert link.physical
    assert link.rate_hz == pytest.approx(8e3 * 0.004 * 10 ** -0.5)
    assert link.latency_s == pytest.approx(25 / 2e5 + 2e-3)
    # giving the same figures again is fine; contradicting them is not
    assert Link("a", "b", rate_hz=link.rate_hz, length_km=25, attempt_rate_hz=1e6,
                efficiency=0.004, electronics_s=2e-3, fidelity=0.95, channels=3) == link
    with pytest.raises(NetworkError, match=r"^link a-b has rate_hz=5 but its physical "
                       r"description \(length_km=25\) gives 10.1193 Hz; give rate_hz or the "
                       r"physical figures, not both$"):
        Link("a", "b", rate_hz=5, length_km=25, attempt_rate_hz=1e6, efficiency=0.004)
    assert eval(repr(link)) == link


def test_longer_fibre_is_slower_and_later() -> None:
    links = [Link("a", "b", length_km=km, attempt_rate_hz=1e5, efficiency=0.1)
             for km in (0, 1, 10, 50, 100, 200)]
    rates = [link.rate_hz for link in links]
    latencies = [link.latency_s for link in links]
    assert rates == sorted(rates, reverse=True) and len(set(rates)) == len(rates)
    assert latencies == sorted(latencies)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"length_km": -1, "attempt_rate_hz": 1e3, "efficiency": 0.1},
         "link a-b has length_km=-1; it must be >= 0 and finite"),
        ({"length_km": math.inf, "attempt_rate_hz": 1e3, "efficiency": 0.1},
         "link a-b has length_km=inf; it must be >= 0 and finite"),
        ({"length_km": 10, "attempt_rate_hz": 0, "efficiency": 0.1},
         "link a-b has attempt_rate_hz=0; it must be positive and finite"),
        ({"length_km": 10, "attempt_rate_hz": 1e3, "efficiency": 1.5},
         "link a-b has efficiency=1.5; it must be in (0, 1]"),
        ({"length_km": 10, "attempt_rate_hz": 1e3, "efficiency": 0},
         "link a-b has efficiency=0; it must be in (0, 1]"),
        ({"length_km": 10, "attempt_rate_hz": 1e3, "efficiency": 0.1, "loss_db_per_km": -0.2},
         "link a-b has loss_db_per_km=-0.2; it must be >= 0 and finite"),
        ({"length_km": 10, "attempt_rate_hz": 1e3, "efficiency": 0.1, "heralding": "relay"},
         "link a-b has heralding='relay'; it must be one of 'midpoint', 'sender_receiver'"),
        ({"length_km": 10, "efficiency": 0.1},
         "link a-b has length_km=10.0 but no attempt_rate_hz; a physical link needs length_km, "
         "attempt_rate_hz and efficiency"),
        ({"attempt_rate_hz": 1e3},
         "link a-b has attempt_rate_hz=1000.0 but no length_km; a physical link needs"),
        ({"electronics_s": 1.0}, "link a-b has electronics_s=1.0 but no length_km"),
        ({"rate_hz": 0}, "link a-b has rate_hz=0; it must be positive"),
        ({"channels": 0}, "link a-b has channels=0; it must be a positive integer"),
        ({"channels": 1.5}, "link a-b has channels=1.5; it must be a positive integer"),
        ({"length_km": 1e5, "attempt_rate_hz": 1e3, "efficiency": 0.1},
         "link a-b has rate_hz=0.0; it must be positive (length_km=100000 at 0.2 dB/km"),
    ],
)
def test_bad_link_physics(kwargs: dict, message: str) -> None:
    with pytest.raises(NetworkError) as info:
        Link("a", "b", **kwargs)
    assert str(info.value).startswith(message)


def test_evolve_rederives_or_goes_direct() -> None:
    fibre = Link("a", "b", length_km=10, attempt_rate_hz=1e3, efficiency=0.1)
    far = fibre.evolve(length_km=60)
    assert far.physical and far.rate_hz == pytest.approx(1e3 * 0.1 * 10 ** -1.2)
    direct = fibre.evolve(latency_s=0.5)
    assert not direct.physical and direct.latency_s == 0.5 and direct.rate_hz == fibre.rate_hz
    with pytest.raises(NetworkError, match="Link has no field 'speed'"):
        fibre.evolve(speed=1)
    with pytest.raises(NetworkError, match="length_km=-5; it must be >= 0"):
        fibre.evolve(length_km=-5)


# ------------------------------------------------------------------- technology
def test_technology_presets_and_overrides() -> None:
    assert set(TECHNOLOGIES) == {"superconducting", "trapped_ion", "nv"}
    sc, ion, nv = (TECHNOLOGIES[k] for k in ("superconducting", "trapped_ion", "nv"))
    assert sc.gate_2q_s < ion.gate_2q_s and sc.t2_s < nv.t2_s < ion.t2_s  # docs/design.md orders
    assert sc.remote_fraction == 1e-3 and ion.remote_fraction == 0.1
    assert DEFAULT_TECHNOLOGY is ion   # issue #13: ions, as the networked-QPU demonstrations
    custom = ion.evolve(t2_s=0.25)
    assert custom.name == "trapped_ion" and custom.overrides() == {"t2_s": 0.25}
    assert technology("nv") is nv and technology(custom) is custom
    with pytest.raises(NetworkError, match="unknown technology 'squid'; presets: "
                                           "superconducting, trapped_ion, nv"):
        technology("squid")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"t2_s": 0}, "technology 'nv' has t2_s=0; it must be positive and finite"),
        ({"t2_s": -1.0}, "technology 'nv' has t2_s=-1.0; it must be positive and finite"),
        ({"gate_2q_s": -1e-6}, "technology 'nv' has gate_2q_s=-1e-06; it must be >= 0"),
        ({"error_2q": 1.0}, "technology 'nv' has error_2q=1.0; it must be in [0, 1)"),
        ({"remote_fraction": 0}, "technology 'nv' has remote_fraction=0; it must be in (0, 1]"),
        ({"measure_s": "slow"}, "technology 'nv' has measure_s='slow'; it must be a number"),
        ({"speed": 1}, "unknown technology figure 'speed'; known: gate_1q_s"),
    ],
)
def test_bad_technology_figures(change: dict, message: str) -> None:
    with pytest.raises(NetworkError) as info:
        TECHNOLOGIES["nv"].evolve(**change)
    assert str(info.value).startswith(message)


def test_qpu_technology() -> None:
    q = QPU("a", 4, technology="nv")
    assert q.technology is TECHNOLOGIES["nv"] and q.profile is TECHNOLOGIES["nv"]
    assert QPU("a", 4).profile is DEFAULT_TECHNOLOGY and QPU("a", 4).technology is None
    assert repr(q) == "QPU(name='a', data_qubits=4, comm_qubits=2, technology='nv')"
    custom = QPU("a", 4, technology=TECHNOLOGIES["nv"].evolve(t2_s=2.0))
    assert eval(repr(custom), {"QPU": QPU, "Technology": Technology}) == custom
    with pytest.raises(NetworkError, match="^QPU 'a': unknown technology 'x'"):
        QPU("a", 4, technology="x")


# ------------------------------------------------------------------------- TOML
def test_toml_round_trip_with_physics_and_technology(tmp_path: Path) -> None:
    net = Network(
        (QPU("a", 3, 1, "trapped_ion"), QPU("b", 2, 2, TECHNOLOGIES["nv"].evolve(t2_s=0.01)),
         QPU("c", 1), QPU("d", 2, 1, Technology("mine", 1e-6, 1e-5, 1e-4, 1e-4, 0, 0.01,
                                                0.02, 0.3, 0.05))),
        (Link("a", "b", length_km=12.5, attempt_rate_hz=2e5, efficiency=0.02,
              heralding="sender_receiver", channels=4),
         Link("b", "c", rate_hz=3.0, latency_s=0.0), Link("c", "d")),
        name="mixed",
    )
    assert Network.from_dict(net.to_dict()) == net
    assert Network.from_dict(tomllib.loads(net.to_toml())) == net
    path = tmp_path / "mixed.toml"
    path.write_text(net.to_toml())
    assert targets.load(path) == net
    assert net.to_dict()["qpu"][1] == {"name": "b", "data_qubits": 2, "comm_qubits": 2,
                                       "technology": "nv", "t2_s": 0.01}


def test_toml_defaults_apply_to_the_right_kind_of_link(tmp_path: Path) -> None:
    """Physical defaults do not clash with a link given directly, and vice versa."""
    path = tmp_path / "n.toml"
    path.write_text("""
[defaults]
technology = "trapped_ion"
t2_s = 0.5
length_km = 10.0
attempt_rate_hz = 1e4
efficiency = 0.1
[[qpu]]
name = "a"
data_qubits = 2
[[qpu]]
name = "b"
data_qubits = 2
technology = "nv"
[[qpu]]
name = "c"
data_qubits = 2
[[link]]
qpus = ["a", "b"]
[[link]]
qpus = ["b", "c"]
rate_hz = 7.0
""")
    net = Network.from_toml(path)
    assert net.links[0].physical and net.links[0].length_km == 10.0
    assert not net.links[1].physical and net.links[1].rate_hz == 7.0
    assert net.qpus[0].technology == TECHNOLOGIES["trapped_ion"].evolve(t2_s=0.5)
    assert net.qpus[1].technology == TECHNOLOGIES["nv"].evolve(t2_s=0.5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[qpu]]\nname = "a"\ndata_qubits = 1\nt2_s = 1.0\n',
         "[[qpu]] #1 of {path} sets t2_s but no technology; add technology = one of"),
        ('[[qpu]]\nname = "a"\ndata_qubits = 1\ntechnology = "mine"\nt2_s = 1.0\n',
         "technology 'mine' in [[qpu]] #1 of {path} is not a preset (superconducting, "
         "trapped_ion, nv); a new technology needs every figure, missing: gate_1q_s"),
        ('[[qpu]]\nname = "a"\ndata_qubits = 1\ntechnology = "nv"\nt2_s = -1.0\n',
         "technology 'nv' has t2_s=-1.0; it must be positive and finite (in {path})"),
        ('[[qpu]]\nname = "a"\ndata_qubits = 1\ntechnology = 3\n',
         "technology = 3 in [[qpu]] #1 of {path} must be a string"),
        ('[[qpu]]\nname = "a"\ndata_qubits = 1\n[[qpu]]\nname = "b"\ndata_qubits = 1\n'
         '[[link]]\nqpus = ["a", "b"]\nlength_km = -3.0\nattempt_rate_hz = 1.0\n'
         'efficiency = 0.5\n',
         "link a-b has length_km=-3.0; it must be >= 0 and finite (in {path})"),
        ('[[qpu]]\nname = "a"\ndata_qubits = 1\n[[qpu]]\nname = "b"\ndata_qubits = 1\n'
         '[[link]]\nqpus = ["a", "b"]\nchannels = 1.5\n',
         "channels = 1.5 in [[link]] #1 of {path} must be an integer"),
    ],
)
def test_toml_physics_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(NetworkError) as info:
        Network.from_toml(path)
    assert str(info.value).startswith(message.format(path=path))


def test_new_presets() -> None:
    ring = targets.load("metro_ring")
    assert all(link.physical and link.length_km == 25.0 for link in ring.links)
    assert ring.links[0].rate_hz == pytest.approx(10.12, abs=0.01)  # ~10 Hz (docs/design.md)
    assert {q.profile.name for q in ring.qpus} == {"trapped_ion"}
    star = targets.load("star_hub")
    assert star.summary().startswith("5 QPUs (star)")
    assert star.links[0].rate_hz > ring.links[0].rate_hz  # 2 km vs 25 km
    mix = targets.load("hetero4")
    assert {q.profile.name for q in mix.qpus} == {"superconducting", "trapped_ion"}
    assert targets.load("metro4").qpus[0].technology == TECHNOLOGIES["nv"]
    assert targets.load("lab2").qpus[0].technology == TECHNOLOGIES["trapped_ion"]


def test_classical_latency_takes_the_fastest_path() -> None:
    net = Network((QPU("a", 1), QPU("b", 1), QPU("c", 1)),
                  (Link("a", "b", latency_s=1e-3), Link("b", "c", latency_s=1e-3),
                   Link("a", "c", latency_s=5e-3)))
    assert net.classical_latency("a", "c") == pytest.approx(2e-3)
    assert net.classical_latency("b", "b") == 0.0
    with pytest.raises(NetworkError, match="unknown QPU 'z'"):
        net.classical_latency("a", "z")
