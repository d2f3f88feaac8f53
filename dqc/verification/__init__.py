"""Verification (library layer): proof that a compiled circuit equals its input.

* :mod:`dqc.verification.deferral` — following wires through teleports and deferring
  measurements;
* :mod:`dqc.verification.stim_translation` — Clifford circuits to stim, flows checked
  exactly;
* :mod:`dqc.verification.simulate` — small non-Clifford circuits by statevector.
"""
