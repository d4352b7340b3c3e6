"""``python -m sim.collect DIR``: the command (see :mod:`sim.apps.collect`)."""

from sim.apps.collect import main

if __name__ == "__main__":
    main()
