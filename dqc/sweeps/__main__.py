"""``python -m dqc.sweeps``: the child process of :mod:`dqc.sweeps.isolate`."""

from dqc.sweeps.isolate import main

if __name__ == "__main__":
    main()
