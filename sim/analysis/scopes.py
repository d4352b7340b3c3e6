"""Scopes: which part of the city a figure covers, so that each report is compared with what it counts.

The 126 wards and communes are the *units*; the City Public Administration Service Centre (its
branches are nodes of kind ``centre``) is the *centre*; *all* is both together. Seed 004's totals
cover all; the October report covers the units only.
"""

from __future__ import annotations

from sim.model.city import CENTRE_KIND

SCOPES = ("units", "centre", "all")
__all__ = ["CENTRE_KIND", "SCOPES", "in_scope", "scope_of"]


def scope_of(kind: str) -> str:
    """The scope a node of this kind belongs to: ``centre`` for the Centre's branches, else ``units``."""
    return "centre" if kind == CENTRE_KIND else "units"


def in_scope(kind: str, scope: str) -> bool:
    """Whether a node of this kind counts in ``scope`` (one of :data:`SCOPES`)."""
    return scope == "all" or scope_of(kind) == scope
