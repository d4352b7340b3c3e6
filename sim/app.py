"""``python -m sim.app``: the web app (see :mod:`sim.apps.app`)."""

import sys

from sim.apps.app import main

if __name__ == "__main__":
    sys.exit(main())
