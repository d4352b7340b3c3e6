"""``staff.rework``, ``staff.span`` and ``staff.borrow`` validated: what a department is beyond a pool of officers
(:mod:`sim.model.departments`).

Kept apart from :mod:`sim.config.build`, which calls :func:`department_mechanisms` before the units
are organised and :func:`rework_within_reach` once they are; ``check_range`` is passed in so that
this module does not import the builder.
"""

from __future__ import annotations

from typing import Callable

from sim.errors import ConfigError
from sim.model.departments import MAX_REWORK_SHARE, Borrow, DepartmentMechanisms, Rework, Span

MAX_SPAN_SLOPE = 1000.0  # staff.span.per_extra_field and per_officer_above (as staff.breadth_penalty)
MAX_OFFICERS_NORM = 10_000.0  # staff.span.officers_norm (as a department's headcount)


def department_mechanisms(s: dict, check_range: Callable) -> DepartmentMechanisms:
    """The mechanisms ``s`` (the ``staff`` section) sets: every number finite, at least 0 and bounded."""
    rework, span = s["rework"], s["span"]
    for key in ("base_share", "per_extra_field"):
        check_range(rework[key], f"staff.rework.{key}", 0.0, MAX_REWORK_SHARE)
    for key in ("per_extra_field", "per_officer_above"):
        check_range(span[key], f"staff.span.{key}", 0.0, MAX_SPAN_SLOPE)
    check_range(span["officers_norm"], "staff.span.officers_norm", 0.0, MAX_OFFICERS_NORM)
    borrow = s["borrow"]
    check_range(borrow["share"], "staff.borrow.share", 0.0, 1.0)
    if borrow["share"] > 0 and s["overtime"]["enabled"]:
        raise ConfigError("staff.borrow.share", "borrowing between departments does not run with overtime yet: "
                                                "set staff.overtime.enabled=false, or staff.borrow.share=0")
    return DepartmentMechanisms(
        rework=Rework(float(rework["base_share"]), float(rework["per_extra_field"])),
        span=Span(float(span["per_extra_field"]), float(span["per_officer_above"]), float(span["officers_norm"])),
        borrow=Borrow(float(borrow["share"])),
    )


def rework_within_reach(units: tuple) -> None:
    """No department of any unit of the run may return records with a probability above
    :data:`~sim.model.departments.MAX_REWORK_SHARE` (at 1 a record would never get out)."""
    for plan in units:
        organisation = plan.organisation
        for department, share in zip(organisation.structure.departments, organisation.rework_share):
            if share > MAX_REWORK_SHARE + 1e-12:
                rework = organisation.mechanisms.rework
                raise ConfigError("staff.rework.per_extra_field",
                                  f"{rework.base_share:g} + {rework.per_extra_field:g} x "
                                  f"({len(department.fields)} - 1) fields gives department {department.name!r} of "
                                  f"{plan.unit.slug} a return probability of {share:g}, above "
                                  f"{MAX_REWORK_SHARE:g}: lower staff.rework.base_share or per_extra_field")
