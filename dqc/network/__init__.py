"""The machine: QPUs, the links between them, and the physics of both (the model layer).

* :mod:`dqc.network.model` — :class:`QPU`, :class:`Link`, :class:`Network` (frozen,
  validated values; TOML in and out; the topology factories);
* :mod:`dqc.network.physics` — :class:`Technology` profiles of QPU platforms and the
  link physics (heralded entanglement rate and latency from length and loss).

Nothing here imports from the layers above (planning, estimation, verification, the
Qiskit adapter, the passes); ``Network.to_target()`` forwards to the adapter lazily.
"""

from dqc.network.model import DEFAULT_LATENCY_S, DEFAULT_RATE_HZ, QPU, Link, Network
from dqc.network.physics import TECHNOLOGIES, Technology

__all__ = ["DEFAULT_LATENCY_S", "DEFAULT_RATE_HZ", "QPU", "TECHNOLOGIES", "Link", "Network",
           "Technology"]
