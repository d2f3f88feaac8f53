"""The ``dqc`` stage plugins for Qiskit's preset pass managers.

Registered under the entry point groups ``qiskit.transpiler.init`` and
``qiskit.transpiler.layout`` with the name ``dqc`` (see ``pyproject.toml``), so that
after ``pip install``::

    transpile(qc, target=network_to_target(network), init_method="dqc", seed_transpiler=7)
    generate_preset_pass_manager(optimization_level=1, target=..., init_method="dqc")

return a distributed circuit, laid out and routed on each QPU's own coupling map
by the init stage, then translated to each QPU's basis and optimised by Qiskit's
own translation and optimization stages. Qiskit's routing stage finds the circuit
already mapped (``CheckMap``) and leaves it alone, so no SWAP and no two-qubit gate
other than ``epr`` ever crosses a QPU. Levels 1-3 work with the default layout stage
(the init stage predicts what it will choose, and re-distributes with the next seed in
the rare case that Qiskit's ``VF2Layout`` would run out of calls, see
:class:`~dqc.passes.distribute_for_transpile.DistributeForTranspile`). Add
``layout_method="dqc"`` to make the layout stage keep dqc's placement outright: it is
needed at optimization level 0, where Qiskit re-applies a trivial layout.
"""

from __future__ import annotations

from dqc.passes.distribute_for_transpile import DistributeForTranspile
from dqc.passes.keep_distributed_layout import KeepDistributedLayout
from qiskit.transpiler import PassManager
from qiskit.transpiler.passes import TrivialLayout, VF2Layout
from qiskit.transpiler.passmanager_config import PassManagerConfig
from qiskit.transpiler.preset_passmanagers.plugin import PassManagerStagePlugin

from dqc.adapter.target import target_to_network
from dqc.errors import DQCError

#: ``VF2Layout`` call limits of Qiskit's default layout stage (qiskit 2.x,
#: ``DefaultLayoutPassManager``), by optimization level.
VF2_CALL_LIMITS = {2: (5_000_000, 10_000), 3: (30_000_000, 100_000)}
#: First call limit of the cheap copy of that search that screens seeds
#: (:class:`~dqc.passes.distribute_for_transpile.DistributeForTranspile`).
VF2_SCREEN_CALLS = 1_000_000


class DQCInitPlugin(PassManagerStagePlugin):
    """Init stage ``dqc``: distribute over the network of the Target, route inside QPUs.

    The stage runs :func:`dqc.passes.generate_pass_manager` for
    :func:`dqc.adapter.target.target_to_network` of the Target (seeded with
    ``seed_transpiler``, 0 when unset), then :class:`~dqc.passes.RouteWithinQPUs` and
    :class:`~dqc.passes.WriteTranspileLayout`, so the output's ``layout`` is dqc's
    placement and ``metadata["dqc_layout"]`` is set.

    Supported: optimization levels 1–3 with the default layout method, and levels
    0–3 with ``layout_method="dqc"`` (:class:`DQCLayoutPlugin`). At level 3 Qiskit's
    ``VF2PostLayout`` may afterwards relabel physical qubits to ones with lower error;
    it only maps each instruction to qubits that support it (``epr`` stays on linked
    comm qubits), and ``circuit.layout`` follows (read layouts with
    :func:`dqc.adapter.layout.read_layout`, which prefers it).

    Not supported, with a :class:`~dqc.errors.DQCError` saying so: no
    Target; an ``initial_layout`` (dqc chooses it); other layout methods (they would
    re-place the qubits, or rebuild the ``TranspileLayout`` as if input qubit ``i``
    started on physical qubit ``i``); level 0 without ``layout_method="dqc"``; and
    levels 2–3 without it when Qiskit's ``VF2Layout`` finds no layout for the
    distributed circuit of any of 8 seeds (this plugin runs the same search to find
    out, and tries the next seed when it fails).

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit.transpiler.preset_passmanagers import generate_preset_pass_manager
        >>> from dqc.network import Network
        >>> from dqc.adapter.target import network_to_target
        >>> target = network_to_target(Network.line(2, data_qubits=2))
        >>> pm = generate_preset_pass_manager(1, target=target, init_method="dqc",
        ...                                   seed_transpiler=7)
        >>> qc = QuantumCircuit(3); _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.cx(0, 2)
        >>> out = pm.run(qc)
        >>> owner = target.qpu_of_qubit()
        >>> out.count_ops()["epr"], len({owner[p] for p in out.layout.final_index_layout()})
        (1, 2)
    """

    def pass_manager(self, pass_manager_config: PassManagerConfig,
                     optimization_level: int | None = None) -> PassManager:
        """The init-stage pass manager for this configuration."""
        target = pass_manager_config.target
        if target is None:
            raise DQCError(
                "init_method='dqc' needs a Target that describes the network: "
                "transpile(circuit, target=dqc.adapter.target.network_to_target(network), "
                "init_method='dqc')")
        if pass_manager_config.initial_layout is not None:
            raise DQCError(
                "init_method='dqc' chooses the layout itself; do not pass initial_layout")
        level = 2 if optimization_level is None else optimization_level
        layout_method = pass_manager_config.layout_method or "default"
        if level == 0 and layout_method != "dqc":
            raise DQCError(
                "init_method='dqc' at optimization_level=0 needs layout_method='dqc': the "
                "default level-0 layout stage re-applies a trivial layout and reports input "
                "qubit i on physical qubit i, which is not where dqc put it")
        predict: TrivialLayout | VF2Layout | None
        screen = None
        if layout_method == "dqc":
            predict = None
        elif layout_method == "default" and level == 1:
            predict = TrivialLayout(target)
        elif layout_method == "default":
            predict = VF2Layout(coupling_map=pass_manager_config.coupling_map, seed=-1,
                                call_limit=VF2_CALL_LIMITS[level], target=target)
            screen = VF2Layout(coupling_map=pass_manager_config.coupling_map, seed=-1,
                               call_limit=(VF2_SCREEN_CALLS, VF2_CALL_LIMITS[level][1]),
                               target=target)
        else:
            raise DQCError(
                f"init_method='dqc' lays out and routes inside each QPU itself; "
                f"layout_method={layout_method!r} would re-place the qubits (leave it unset, "
                "or use layout_method='dqc')")
        seed = pass_manager_config.seed_transpiler
        seed = 0 if seed is None or seed < 0 else int(seed)
        target_to_network(target)  # a Target that describes no network fails here
        return PassManager([DistributeForTranspile(target, seed=seed, layout_pass=predict,
                                                   screen=screen)])



class DQCLayoutPlugin(PassManagerStagePlugin):
    """Layout stage ``dqc``: keep the placement of the ``dqc`` init stage.

    Runs :class:`~dqc.passes.KeepDistributedLayout` only. Use it with
    ``init_method="dqc"``; it makes every optimization level (0–3) work on every
    network without predicting Qiskit's layout search.

    Examples:
        >>> from qiskit import QuantumCircuit, transpile
        >>> from dqc.network import Network
        >>> from dqc.adapter.target import network_to_target
        >>> target = network_to_target(Network.ring(4, data_qubits=3))
        >>> qc = QuantumCircuit(12); _ = qc.h(0)
        >>> for t in range(1, 12): _ = qc.cx(0, t)
        >>> out = transpile(qc, target=target, init_method="dqc", layout_method="dqc",
        ...                 optimization_level=0)
        >>> owner = target.qpu_of_qubit()
        >>> sorted({owner[p] for p in out.layout.final_index_layout()})
        ['qpu0', 'qpu1', 'qpu2', 'qpu3']
        >>> out.layout.final_index_layout() == out.metadata["dqc_layout"]["final_layout"]
        True
    """

    def pass_manager(self, pass_manager_config: PassManagerConfig,
                     optimization_level: int | None = None) -> PassManager:
        """The layout-stage pass manager (the same at every level)."""
        if pass_manager_config.initial_layout is not None:
            raise DQCError(
                "layout_method='dqc' keeps dqc's placement; do not pass initial_layout")
        return PassManager([KeepDistributedLayout()])
