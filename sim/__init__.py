"""Capacity simulator for the public administration service points of Hanoi's 126 wards and
communes: citizens at reception desks, records through departments, deadlines fixed in law."""

from sim.version import VERSION as __version__  # single source: pyproject.toml
