"""``python -m sim``: the main job (see :mod:`sim.apps.main`)."""

from sim.apps.main import main

if __name__ == "__main__":
    main()
