"""``python -m sim.sensitivity``: the command (see :mod:`sim.apps.sensitivity`)."""

from sim.apps.sensitivity import main

if __name__ == "__main__":
    main()
