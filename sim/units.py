"""``python -m sim.units``: the units with their population, desks and staff (see :mod:`sim.apps.units`)."""

from sim.apps.units import main

if __name__ == "__main__":
    main()
