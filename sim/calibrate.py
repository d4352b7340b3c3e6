"""``python -m sim.calibrate``: the command (see :mod:`sim.apps.calibrate`)."""

from sim.apps.calibrate import main

if __name__ == "__main__":
    main()
