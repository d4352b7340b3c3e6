"""``python -m sim.compare``: the command (see :mod:`sim.apps.compare`)."""

from sim.apps.compare import main

if __name__ == "__main__":
    main()
