"""Design-space sweeps: many circuits × networks × parameters × seeds, on Dask.

``dqc sweep SPEC -o RESULTS`` (and :func:`sweep` in Python) computes one row per point
of a grid described in a TOML spec and records it in a CSV or Parquet table as it
finishes; a re-run computes only the points the table lacks.

* :mod:`dqc.sweeps.spec` — the spec file (:func:`load_spec`, :class:`SpecError`);
* :mod:`dqc.sweeps.points` — the points, their input hashes, the tasks sharing a compile;
* :mod:`dqc.sweeps.compute` — a task computed in-process, the table's columns;
* :mod:`dqc.sweeps.isolate` — per-point time and memory limits (a child process);
* :mod:`dqc.sweeps.store` — the CSV / Parquet table, resumable;
* :mod:`dqc.sweeps.run` — :func:`sweep`: sequential, LocalCluster or an existing cluster;
* :mod:`dqc.sweeps.plots` — the figures of ``--plot`` (matplotlib, optional).

Dask (``dask[distributed]``) and pyarrow are the optional extra ``sweep``
(``pip install ".[sweep]"`` from the checkout); ``workers=1`` and CSV need neither.
"""

from dqc.sweeps.run import Progress, SweepSummary, sweep, tty_bar
from dqc.sweeps.spec import Spec, SpecError, load_spec, parse_spec
from dqc.sweeps.store import read_table

__all__ = ["Progress", "Spec", "SpecError", "SweepSummary", "load_spec", "parse_spec",
           "read_table", "sweep", "tty_bar"]
