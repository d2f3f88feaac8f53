"""dqc.plan.epr_order: Bell pairs as late as they can come, nothing else reordered."""

from __future__ import annotations

import dqc
from dqc.plan.epr_order import lazy_epr_order
from tests.helpers import ghz


def test_bell_pairs_come_right_before_their_use(pass_verified):
    """A GHZ chain over a line of three QPUs: Qiskit's order puts both ``epr`` first; the
    lazy order puts each after the local gates it does not need to precede."""
    qc = ghz(6)
    net = dqc.Network.line(3, data_qubits=2)
    pm = dqc.passes.generate_pass_manager(net, seed=0)
    out = pm.run(qc)
    comm = set(pm.property_set["dqc_distribution"].layout.comm_qubits)
    lazy = lazy_epr_order(out, comm)
    names = [i.operation.name for i in lazy.data]
    assert sorted(names) == sorted(i.operation.name for i in out.data)
    first = [i.operation.name for i in out.data].index("epr")
    assert names.index("epr") > first
    assert names.index("epr") > names.index("h")  # the first local gate comes first
    assert pass_verified(qc, lazy, net, pm.property_set).ebits == 2


def test_compile_emits_the_late_order_itself(verified):
    """dqc.compile no longer re-orders a DAG round trip of DistributeGates' output: the
    pass emits each Bell pair late, and the standalone pass and compile agree on the
    operations (as multisets) and on the ebits."""
    from collections import Counter

    qc = ghz(6)
    net = dqc.Network.line(3, data_qubits=2)
    res = verified(qc, net, expect="stim-flows")
    names = [i.operation.name for i in res.circuit.data]
    assert names.index("epr") > names.index("h")
    pm = dqc.passes.generate_pass_manager(net, seed=0)
    out = pm.run(qc)
    assert Counter(i.operation.name for i in out.data) == Counter(names)
    assert res.report.ebits == 2
