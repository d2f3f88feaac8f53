"""A compiled Clifford circuit checked in one tableau run, measurements deferred.

:func:`dqc.verification.stim_check.check_stim` needs, for every input qubit j and
P ∈ {X, Z}, the flow ``P_j -> P_out(j)`` with sign + through the compiled circuit followed
by the input's circuit inverted, on every measurement branch. :func:`deferred_choi` checks
all of them at once on a Choi state: each input qubit starts in a Bell pair with a
reference qubit, the program runs, and each output must come back into a Bell pair with
its reference (``CX ref out; H ref`` then leaves both in ``|0>``: ``Z`` on the output reads
the sign of the ``Z`` flow, on the reference that of the ``X`` flow; a random one means the
flow fails). Run as written, every protocol measurement is random (the half of a Bell
pair), and a tableau simulator pays the square of the width for each random collapse —
90 % of the time of the earlier check of a 1,000-qubit, 100,000-gate circuit. Here they are
deferred, so nothing collapses:

* ``M q`` swaps q's state into a fresh *life* standing for the outcome, leaving q in
  ``|0>`` (copied from the life, ``CX``, if q is used again before a reset: the
  post-measurement state), so no other instruction needs its qubits renamed;
* a correction ``CX/CY/CZ rec[-k] t`` becomes the same gate controlled by that life (the
  deferred measurement principle: every branch at once);
* after a life's last correction it is normally in a product state — decoupled from the
  inputs (the Choi state makes that hold for every input) and from everything else — so
  one of ``Z``, ``X``, ``Y`` on it is deterministic (stim's ``peek``, no collapse); it is
  then rotated back to ``|0>`` and its qubit reused, so the width stays that of the
  circuit, its references and the lives in flight. A life that is not (say, entangled with
  another outcome nobody reads) is left where it is, as the outcome is discarded.
* ``R q`` after a measurement is free (q is in ``|0>`` already); elsewhere it is a
  discard (a product state is rotated to ``|0>``, an entangled one swapped aside).

Every step is unitary, and tracing out the lives at the end gives the circuit's channel
(deferred measurement); reusing a life only once it is decoupled does not change it. So
the Bell pairs coming back is exactly "the channel is the identity on the inputs".

Examples:
    >>> import stim
    >>> teleport = stim.Circuit('''
    ...     H 1
    ...     CX 1 2
    ...     CX 0 1
    ...     H 0
    ...     M 0 1
    ...     CX rec[-1] 2
    ...     CZ rec[-2] 2
    ...     SWAP 0 2
    ... ''')
    >>> deferred_choi(teleport, width=3, ins=[0], outs=[0])    # every flow, sign +
    []
    >>> deferred_choi(stim.Circuit("X 0") + teleport, width=3, ins=[0], outs=[0])
    [('Z', 0, 'sign')]
    >>> wrong = stim.Circuit(str(teleport).replace("CZ rec[-2]", "CZ rec[-1]"))
    >>> deferred_choi(wrong, width=3, ins=[0], outs=[0])       # the X flow breaks
    [('X', 0, 'random')]
"""

from __future__ import annotations

from collections.abc import Sequence

import stim

__all__ = ["Unsupported", "deferred_choi"]

#: Instructions that do nothing to the state.
_SKIP = frozenset({"TICK", "QUBIT_COORDS", "SHIFT_COORDS"})

#: stim's unitary gates (run as they are).
_UNITARY = frozenset(name for name, gate in stim.gate_data().items() if gate.is_unitary)


class Unsupported(Exception):
    """A program with instructions this rewrite does not handle (MPP, MR, detectors...)."""


def deferred_choi(program: stim.Circuit, *, width: int, ins: Sequence[int],
                  outs: Sequence[int]) -> list[tuple[str, int, str]]:
    """Run ``program`` on a Choi state of the qubits ``ins`` with measurements deferred
    and check that each input ``ins[j]`` comes back on ``outs[j]`` (module docstring).

    Returns:
        ``(pauli, j, problem)`` for every flow that fails, the ``Z`` flows first:
        ``problem`` is ``"sign"`` (the flow holds with sign −) or ``"random"`` (it does
        not hold); empty when all hold.

    Raises:
        Unsupported: the program has instructions other than unitary gates, ``M``, ``R``
            and corrections read from the measurement record.
    """
    lines = str(program.flattened()).splitlines()
    refs = [width + j for j in range(len(ins))]
    run = _Run(width + len(refs), _uses(lines))
    run.batch += [f"H {ref}\nCX {ref} {q}" for ref, q in zip(refs, ins)]
    for line in lines:
        run.line(line)
    run.touch([str(q) for q in outs])
    run.batch += [f"CX {ref} {q}\nH {ref}" for ref, q in zip(refs, outs)]
    run.flush()
    problems = []
    for pauli, qubits in (("Z", outs), ("X", refs)):
        for j, qubit in enumerate(qubits):
            value = run.sim.peek_z(qubit)
            if value != 1:
                problems.append((pauli, j, "sign" if value == -1 else "random"))
    return problems


def _uses(lines: list[str]) -> list[int]:
    """For every measurement, how many corrections read it."""
    uses: list[int] = []
    for line in lines:
        name, _, rest = line.partition(" ")
        if name == "M":
            uses += [0] * len(rest.split())
        elif "rec[" in rest:
            for target in rest.split():
                if target.startswith("rec["):
                    uses[len(uses) + int(target[4:-1])] += 1
    return uses


class _Run:
    """One run: the simulator, the lives, the measured qubits not yet reset."""

    def __init__(self, width: int, uses: list[int]) -> None:
        self.sim = stim.TableauSimulator()
        self.sim.set_num_qubits(width)
        self.measured: dict[str, int] = {}     # qubit (as text) -> its life, until reset
        self.lives: list[int] = []             # measurement -> simulator qubit
        self.left = list(uses)
        self.free: list[int] = []
        self.next = width
        self.batch: list[str] = []

    def line(self, line: str) -> None:
        """One instruction of the program's text."""
        name, _, rest = line.partition(" ")
        if name in _SKIP or not name:
            return
        targets = rest.split()
        if name in ("M", "R"):
            if not all(t.isdigit() for t in targets):
                raise Unsupported(line)
            for t in targets:
                (self.measure if name == "M" else self.reset)(t)
        elif "rec[" in rest:
            if name not in ("CX", "CY", "CZ"):
                raise Unsupported(name)
            for a, b in zip(targets[::2], targets[1::2]):
                if a.startswith("rec["):
                    self.correct(name, int(a[4:-1]), b)
                elif b.startswith("rec[") and name == "CZ":
                    self.correct(name, int(b[4:-1]), a)
                elif b.startswith("rec["):
                    raise Unsupported(f"{name} onto a measurement record")
                else:
                    self.touch([a, b])
                    self.batch.append(f"{name} {a} {b}")
        elif name in _UNITARY:
            self.touch(targets)
            self.batch.append(line)
        else:
            raise Unsupported(name)

    def touch(self, targets: list[str]) -> None:
        """Before a gate on ``targets``: a measured qubit used before a reset holds its
        outcome (a copy of its life in Z)."""
        if self.measured:
            for t in targets:
                life = self.measured.pop(t, None)
                if life is not None:
                    self.batch.append(f"CX {life} {t}")

    def measure(self, q: str) -> None:
        """``M q``: q's state moves to a fresh life, q is left in ``|0>``."""
        self.touch([q])
        life = self.allocate()
        self.batch.append(f"SWAP {q} {life}")
        self.lives.append(life)
        self.measured[q] = life

    def reset(self, q: str) -> None:
        if self.measured.pop(q, None) is not None:
            return  # q is in |0> already (its state went to the life)
        self.flush()
        p = int(q)
        if self.to_zero(p):
            return
        life = self.allocate()  # a discard of an entangled qubit: its state goes aside
        self.batch.append(f"SWAP {q} {life}")

    def correct(self, name: str, lookback: int, target: str) -> None:
        m = len(self.lives) + lookback
        life = self.lives[m]
        self.touch([target])
        self.batch.append(f"{name} {life} {target}")
        self.left[m] -= 1
        if self.left[m] == 0:
            self.flush()
            if self.to_zero(life):
                self.free.append(life)

    def to_zero(self, p: int) -> bool:
        """Rotate simulator qubit ``p`` to ``|0>`` if it is in a product state."""
        sim = self.sim
        z = sim.peek_z(p)
        if z:
            if z < 0:
                sim.x(p)
            return True
        x = sim.peek_x(p)
        if x:
            sim.h(p)
        else:
            y = sim.peek_y(p)
            if not y:
                return False
            sim.s_dag(p)
            sim.h(p)
            x = y
        if x < 0:
            sim.x(p)
        return True

    def allocate(self) -> int:
        if self.free:
            return self.free.pop()
        self.next += 1
        return self.next - 1

    def flush(self) -> None:
        if self.batch:
            self.sim.do_circuit(stim.Circuit("\n".join(self.batch)))
            self.batch = []
        if self.sim.num_qubits < self.next:
            self.sim.set_num_qubits(self.next)
