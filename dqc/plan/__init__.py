"""Planning (library layer): where qubits go and how each remote interaction is carried.

* :mod:`dqc.plan.cost_model` — segments, carriers by minimum vertex cover, ebits;
* :mod:`dqc.plan.partition` — the placement search (METIS, capacity repair, refinement);
* :mod:`dqc.plan.embedding` — segments continued through flips, mirrored onto copies;
* :mod:`dqc.plan.teledata` — time-sliced assignments (qubits moving between QPUs);
* :mod:`dqc.plan.teledata_embedding` — flips continued through on the stays of moves;
* :mod:`dqc.plan.weighted_cover` — carrier covers weighted by eviction cost;
* :mod:`dqc.plan.exact` — placement, flips and carriers by one integer program (small
  circuits; priced by hops where QPUs are not all linked); :mod:`dqc.plan.exact_moves` —
  placements in every slice, moves and carriers by one integer program (opt-in);
* :mod:`dqc.plan.proposals` — the typed plans the planners propose, and the one place
  that chooses between them;
* :mod:`dqc.plan.distribution` — the builder that emits the distributed circuit;
* :mod:`dqc.plan.emitted` — what it emitted, read in output order before (or instead of)
  becoming a circuit;
* :mod:`dqc.plan.epr_order` — Bell pairs placed as late as they can go.
"""
