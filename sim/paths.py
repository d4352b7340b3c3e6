"""Where the project's configuration lives."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = str(PROJECT_ROOT / "configs")
