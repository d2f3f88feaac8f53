"""Estimation (library layer): what a compiled circuit costs in time, memory and fidelity.

* :mod:`dqc.estimation.report` — the :class:`Report` of a compile (the JSON report);
* :mod:`dqc.estimation.schedule` — the deterministic schedule against link rates,
  classical latency and comm-qubit memory;
* :mod:`dqc.estimation.verdict` — feasible / marginal / infeasible, with reasons;
* :mod:`dqc.estimation.sweep` and :mod:`dqc.estimation.render` — parameter sweeps and
  their text; :mod:`dqc.estimation.plot` — Gantt charts (the ``plot`` extra).
"""
