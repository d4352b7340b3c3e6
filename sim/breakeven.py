"""``python -m sim.breakeven``: the command (see :mod:`sim.apps.breakeven`)."""

from sim.apps.breakeven import main

if __name__ == "__main__":
    main()
