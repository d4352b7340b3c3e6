"""``python -m sim.recommend``: the command (see :mod:`sim.apps.recommend`)."""

from sim.apps.recommend import main

if __name__ == "__main__":
    main()
