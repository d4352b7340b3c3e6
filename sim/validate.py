"""``python -m sim.validate``: the command (see :mod:`sim.apps.validate`)."""

from sim.apps.validate import main

if __name__ == "__main__":
    main()
