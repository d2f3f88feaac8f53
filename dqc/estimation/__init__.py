"""Estimation (library layer): what a compiled circuit costs in time, memory and fidelity.

* :mod:`dqc.estimation.report` — the :class:`Report` of a compile (the JSON report);
* :mod:`dqc.estimation.schedule` — the deterministic schedule against link rates,
  classical latency and comm-qubit memory (the model), built in steps by job:
  :mod:`~dqc.estimation.program` (the circuit as arrays), :mod:`~dqc.estimation.costs`
  (durations and errors), :mod:`~dqc.estimation.timing` (ASAP, lazy, link use),
  :mod:`~dqc.estimation.paths` (longest-path searches), :mod:`~dqc.estimation.memory`
  (ebit halves, comm-qubit occupancy), :mod:`~dqc.estimation.fidelity` (the fidelity
  model), :mod:`~dqc.estimation.monte_carlo` (drawn ebit times); the result types in
  :mod:`~dqc.estimation.result`, the validator in :mod:`~dqc.estimation.check`;
* :mod:`dqc.estimation.verdict` — feasible / marginal / infeasible, with reasons;
* :mod:`dqc.estimation.requirements` — per parameter (link rate, link fidelity, T2, comm
  qubits), the least value at which the verdict's checks pass;
* :mod:`dqc.estimation.sweep` and :mod:`dqc.estimation.render` — parameter sweeps and
  their text (numbers by :mod:`~dqc.estimation.formatting`); :mod:`dqc.estimation.plot`
  — Gantt charts (the ``plot`` extra).
"""
