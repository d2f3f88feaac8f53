"""Verification (library layer): proof that a compiled circuit equals its input.

* :mod:`dqc.verification.contract` — the output contract (registers per QPU, ``epr``
  only between linked comm qubits, everything else inside one QPU);
* :mod:`dqc.verification.stim_check` — Clifford circuits (and the Clifford skeleton of
  the others) checked exactly by stabilizer flows with their signs on every branch
  (:mod:`dqc.verification.stim_deferred`: one tableau run, measurements deferred);
* :mod:`dqc.verification.stim_translation` — circuits to stim;
* :mod:`dqc.verification.simulate` — small non-Clifford circuits by statevector;
* :mod:`dqc.verification.deferral` — following wires through teleports and deferring
  measurements.

:func:`dqc.verify` (top layer: it unrolls the input with the compiler's own pass) picks
the method and runs these.
"""
