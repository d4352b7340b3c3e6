"""Capacity simulator for the public administration service points of Hanoi's 126 wards and
communes: citizens at reception desks, records through departments, deadlines fixed in law."""

__version__ = "0.1.0"
