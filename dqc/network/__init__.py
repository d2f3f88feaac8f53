"""The machine: QPUs, the links between them, and the physics of both (the model layer).

* :mod:`dqc.network.physics` — :class:`Technology` profiles of QPU platforms, the
  link physics (heralded entanglement rate and latency from length and loss) and the
  checks of a figure every model value uses;
* :mod:`dqc.network.parts` — :class:`QPU` and :class:`Link` (frozen, validated values);
* :mod:`dqc.network.topology` — the table of topologies the factories generate;
* :mod:`dqc.network.model` — :class:`Network` (QPUs and links, validated and connected;
  graph queries; the topology factories; TOML in and out);
* :mod:`dqc.network.toml` — the TOML format of network files, read and written.

Nothing here imports from the layers above (planning, estimation, verification, the
Qiskit adapter, the passes); ``Network.to_target()`` forwards to the adapter lazily.
"""

from dqc.network.model import (
    DEFAULT_FIDELITY,
    DEFAULT_LATENCY_S,
    DEFAULT_RATE_HZ,
    QPU,
    Link,
    Network,
)
from dqc.network.physics import TECHNOLOGIES, Technology

__all__ = ["DEFAULT_FIDELITY", "DEFAULT_LATENCY_S", "DEFAULT_RATE_HZ", "QPU", "TECHNOLOGIES",
           "Link", "Network", "Technology"]
