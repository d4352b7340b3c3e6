"""The simulator's version: pyproject.toml is its only source, read from the installed package's
metadata (or from pyproject.toml itself in a source tree that was never installed)."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "hanoi-service-sim"  # [project] name in pyproject.toml


def package_version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]


VERSION = package_version()
