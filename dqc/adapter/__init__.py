"""The Qiskit adapter: the network as a ``Target``, layouts Qiskit understands, Aer.

* :mod:`dqc.adapter.target` — ``network_to_target`` / ``target_to_network`` and QPU
  devices built from backends;
* :mod:`dqc.adapter.layout` — the distributed layout as circuit metadata and a Qiskit
  ``TranspileLayout``;
* :mod:`dqc.adapter.routing` — routing inside each QPU's coupling map, Bell pairs kept on
  comm qubits;
* :mod:`dqc.adapter.aer` — running compiled (dynamic) circuits on qiskit-aer (the
  ``sim`` extra).
"""
