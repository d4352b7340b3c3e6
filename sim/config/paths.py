"""Where the simulator's own configuration and data live: inside the package, so an installed
copy runs from any folder. Run folders go under the current folder's ``results/``."""

from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = str(PACKAGE_ROOT / "conf")
