"""The City Centre's branches a run simulates (``centre``), checked, with their staff by
``centre.staff_rule`` and their plans made by the run's :class:`~sim.model.unit_plan.PlanBuilder`."""

from __future__ import annotations


from sim.model.city import CENTRE_INDEX_BASE, CENTRE_KIND, SLUG, branch_unit
from sim.errors import ConfigError
from sim.model.staffing import department_effort, field_effort, staff_for_load
from sim.model.structures import Structure
from sim.model.unit_plan import PlanBuilder
from sim.config.checks import (MAX_DESKS, MAX_STAFF, MAX_WEIGHT, _at_least, _choice, _positive, _shares_sum_to_one,
                               check_range)
from sim.config.structures import _departments


MAX_CENTRE_RECORDS_PER_DAY = 1_000_000.0  # centre.records_per_day: about 500 times the Centre's


def _centre_fits_table(c: dict, by_slug: dict) -> dict:
    """The Centre's branches, once they are known not to clash with the unit table: no slug in both,
    and, with the Centre in the run, no table so long that its rows reach the branches' stream indices."""
    centre = c["centre"]
    clash = [slug for slug in centre["branches"] if slug in by_slug]
    if clash:
        raise ConfigError(f"centre.branches.{clash[0]}", f"{clash[0]!r} is also a unit's slug in {c['city']['table']}")
    if centre["enabled"] and len(by_slug) > CENTRE_INDEX_BASE:
        raise ConfigError("city.table", f"{len(by_slug):,} units: with the City Centre (centre.enabled) a table "
                                        f"holds at most {CENTRE_INDEX_BASE:,}, whose rows give the streams of each")
    return centre["branches"]


CENTRE_STAFF_RULES = ("design_load", "fixed")  # centre.staff_rule (schema.CentreConfig)


def _centre_plans(c: dict, procedures: tuple, demand: dict, minutes_per_day: float, builder: PlanBuilder) -> tuple:
    """The Centre's branches a run simulates: all of them with the whole city, else those listed in
    ``city.units``. Each has the Centre's own departments, its own desks and staff (by
    ``centre.staff_rule``; ``minutes_per_day`` is an officer's session minutes a calendar day of an
    ordinary week, not of the period, so a branch's staff do not depend on when the run ends), and
    a share of the Centre's records by its demand weight (no rule that reads a population applies)."""
    centre, listed = c["centre"], c["city"]["units"]
    branches = centre["branches"]
    if not centre["enabled"]:
        for k, slug in enumerate(listed):
            if slug in branches:
                raise ConfigError(f"city.units[{k}]", f"{slug!r} is a branch of the City Centre, which "
                                                      "centre.enabled=false leaves out")
        return ()
    _at_least(centre, "records_per_day", 0, "centre.", MAX_CENTRE_RECORDS_PER_DAY)
    by_load = _choice(centre["staff_rule"], "centre.staff_rule", CENTRE_STAFF_RULES) == "design_load"
    if by_load:
        check_range(centre["design_load"], "centre.design_load", 0.0, 1.0, above=True)
    chosen = [slug for slug in listed if slug in branches] if listed else list(branches)
    if not chosen:
        return ()
    if not branches:
        raise ConfigError("centre.branches", "the Centre has no branches (or set centre.enabled=false)")
    structure = _centre_structure(centre, procedures)
    weights = _branch_weights(branches)
    rate = float(centre["records_per_day"]) * float(demand["growth"]) / sum(weights.values())

    s = c["staff"]
    workload = field_effort(procedures, CENTRE_KIND)
    rows = {slug: row for row, slug in enumerate(branches)}
    plans = []
    for slug in chosen:
        b, key = branches[slug], f"centre.branches.{slug}"
        _at_least(b, "desks", 1, f"{key}.", MAX_DESKS)
        _at_least(b, "reception_points", 1, f"{key}.", b["desks"])
        _known_departments(b, key, structure)
        records_per_day = weights[slug] * rate
        if by_load:  # the officers' time for records is what the design load is of
            stretch = 1.0 / (1.0 - float(s["other_duties_share"]))
            staff = [staff_for_load(records_per_day * department_effort(d, workload) * stretch, minutes_per_day,
                                    float(centre["design_load"]), f"{key}.staff", MAX_STAFF)
                     for d in structure.departments]
        else:
            staff = _given_staff(b, key, structure)
        unit = branch_unit(rows[slug], slug, str(b["name"] or slug))
        plans.append(builder.plan(unit, structure, staff, int(b["desks"]), records_per_day))
    return tuple(plans)


def _centre_structure(centre: dict, procedures: tuple) -> Structure:
    """The Centre's departments (``centre.departments``), owning every procedure's field, and the
    procedures' shares of the Centre's records summing to one."""
    structure = Structure("centre", "the City Public Administration Service Centre's departments",
                          tuple(_departments(centre["departments"], "centre.departments")), (CENTRE_KIND,))
    owned = structure.owner_of()
    for p in procedures:
        if p.field not in owned:
            raise ConfigError("centre.departments", f"field {p.field!r} (procedures.{p.name}) is owned by no "
                                                    f"department of the Centre (owned: {', '.join(sorted(owned))})")
    _shares_sum_to_one([p.share[CENTRE_KIND] for p in procedures], "procedures.*.share_centre",
                       "share_centre over procedures")
    return structure


def _branch_weights(branches: dict) -> dict[str, float]:
    """Every branch's slug checked, and its demand weight (above 0)."""
    for slug, b in branches.items():
        key = f"centre.branches.{slug}"
        if not SLUG.fullmatch(slug):
            raise ConfigError(key, f"{slug!r} is not a slug (letters, digits, _ and - only)")
        _positive(b, "demand_weight", f"{key}.", MAX_WEIGHT)
    return {slug: float(b["demand_weight"]) for slug, b in branches.items()}


def _known_departments(b: dict, key: str, structure: Structure) -> None:
    """``centre.branches.*.staff`` names departments of the Centre only."""
    for dept in b["staff"]:
        if dept not in structure.department_names:
            raise ConfigError(f"{key}.staff.{dept}", f"unknown department {dept!r} of the Centre "
                                                     f"(its departments: {', '.join(structure.department_names)})")


def _given_staff(b: dict, key: str, structure: Structure) -> list[int]:
    """centre.staff_rule=fixed: a branch's officers per department, every department given at least one."""
    for dept in structure.department_names:
        if dept not in b["staff"]:
            raise ConfigError(f"{key}.staff", f"no staff given for department {dept!r}")
        _at_least(b["staff"], dept, 1, f"{key}.staff.", MAX_STAFF)
    return [int(b["staff"][d]) for d in structure.department_names]
