"""The city's units a run simulates (``city``, ``desks``, ``staff``), checked, with their officers
by ``staff.rule`` and their plans made by the run's :class:`~sim.model.unit_plan.PlanBuilder`
(:mod:`sim.config.build` adds their counter groups)."""

from __future__ import annotations


from sim.model.city import KINDS, desks_by_rule, framework_headcount, load_units
from sim.errors import ConfigError
from sim.model.scenario import MAX_DESK_ROTA_TIME_SHARE
from sim.model.staffing import (ALLOCATED_KINDS, Claim, allocate, department_effort, field_effort, read_staff_table,
                                unit_effort)
from sim.model.structures import Structure, department_staff, positions_added
from sim.model.unit_plan import PlanBuilder
from sim.config.centre import _centre_fits_table
from sim.config.checks import MAX_CITY_POSITIONS, MAX_DESKS, MAX_STAFF, _at_least, _choice, _positive, check_range
from sim.config.structures import _classes


def _unit_plans(c: dict, structure: Structure, procedures: tuple, demand: dict, builder: PlanBuilder) -> tuple:
    """The selected units' plans (desks by ``desks.rule``, officers by ``staff.rule`` and the
    overrides) and the city's average of departments plus service point per unit."""
    city, desks, staff = c["city"], c["desks"], c["staff"]
    _choice(city["suspect_population"], "city.suspect_population", ("median_density", "keep"))
    units = load_units(city["table"], city["suspect_population"])
    by_slug = {u.slug: u for u in units}
    branches = _centre_fits_table(c, by_slug)
    known_slug = _slug_check(city["table"], units, by_slug, branches)
    selected = _selected(city["units"], units, by_slug, branches, known_slug)
    average = _average_units(c["structure"], structure, units)
    _classes(c["structure"]["classes"], "structure.classes.")
    _check_desks(desks, known_slug)
    _check_staff(staff, structure, by_slug, known_slug)

    table = _staff_table(staff["table"], structure, by_slug)
    rate = float(demand["records_per_1000_residents_per_day"]) * float(demand["growth"]) / 1000
    effort_by_field = {kind: field_effort(procedures, kind) for kind in KINDS}  # expected effort per record
    allocation = _allocation(staff, units, structure, effort_by_field, rate) if staff["rule"] == "allocated" else {}
    _within_quota(c, structure, selected, allocation, effort_by_field)
    plans = []
    for unit in selected:
        n_desks = desks["per_unit"].get(unit.slug) or desks_by_rule(
            unit, desks["rule"], desks["fixed"], desks["residents_per_desk"], desks["min_desks"], desks["max_desks"]
        )
        own = structure.for_unit(unit.kind, unit.population)
        processing = _unit_staff(staff, unit, own, allocation, effort_by_field, table)
        plans.append(builder.plan(unit, own, processing, int(n_desks), unit.population * rate))
    return tuple(plans), average


def _slug_check(table: str, units: list, by_slug: dict, branches: dict):
    """A check that a setting's slug is a unit of the table (a branch only under ``city.``)."""
    def known_slug(slug: str, key: str) -> None:
        if slug in branches and not key.startswith("city."):
            raise ConfigError(key, f"{slug!r} is a branch of the City Centre: set centre.branches.{slug} instead")
        if slug not in by_slug:
            raise ConfigError(key, f"unknown unit slug {slug!r} (see {table} for the {len(units)} slugs, "
                                   f"centre.branches for the Centre's {len(branches)})")
    return known_slug


def _selected(listed: list[str], units: list, by_slug: dict, branches: dict, known_slug) -> list:
    """``city.units``: the units listed (the Centre's branches aside), or every unit."""
    for k, slug in enumerate(listed):
        if slug not in branches:
            known_slug(slug, f"city.units[{k}]")
    if len(set(listed)) != len(listed):
        raise ConfigError("city.units", "a unit is listed twice")
    return [by_slug[s] for s in listed if s in by_slug] if listed else units


def _average_units(s: dict, structure: Structure, units: list) -> float:
    """The city's departments plus service point per unit, within ``structure.max_average_units``."""
    average = sum(len(structure.for_unit(u.kind, u.population).departments) + 1 for u in units) / len(units)
    limit = s["max_average_units"]
    if average > limit + 1e-9:
        raise ConfigError("structure.max_average_units",
                          f"the structure {s['name']!r} already uses {average:.2f} departments and "
                          f"service point per unit on average, above the limit of {limit} (Decree 370/2025)")
    return average


def _check_desks(desks: dict, known_slug) -> None:
    """``desks``: the rule, its bounds and the units of every per-unit setting."""
    _choice(desks["rule"], "desks.rule", ("by_population", "fixed"))
    _at_least(desks, "residents_per_desk", 1, "desks.")
    for key in ("fixed", "min_desks", "max_desks"):
        _at_least(desks, key, 1, "desks.", MAX_DESKS)
    if desks["max_desks"] < desks["min_desks"]:
        raise ConfigError("desks.max_desks", f"{desks['max_desks']} is below desks.min_desks {desks['min_desks']}")
    for slug, n in desks["per_unit"].items():
        known_slug(slug, f"desks.per_unit.{slug}")
        _at_least(desks["per_unit"], slug, 1, "desks.per_unit.", MAX_DESKS)
    for section in ("groups", "land_intake"):
        for slug in desks[section]["per_unit"]:
            known_slug(slug, f"desks.{section}.per_unit.{slug}")


def _check_staff(staff: dict, structure: Structure, by_slug: dict, known_slug) -> None:
    """``staff``: the rules, their bounds and ``staff.per_unit``'s units and departments."""
    _choice(staff["rule"], "staff.rule", STAFF_RULES)
    _choice(staff["department_split"], "staff.department_split", DEPARTMENT_SPLITS)
    for key in ("framework_base_population", "framework_residents_per_extra"):
        _at_least(staff, key, 1, "staff.")
    for key in ("fixed", "framework_base", "framework_cap_ward", "framework_cap_commune", "min_per_department"):
        _at_least(staff, key, 1, "staff.", MAX_STAFF)
    _at_least(staff, "city_positions", 1, "staff.", MAX_CITY_POSITIONS)
    _positive(staff, "procedure_share", "staff.", 1.0)
    check_range(staff["framework_weight"], "staff.framework_weight", 0.0, 1.0)
    for slug, per_dept in staff["per_unit"].items():
        known_slug(slug, f"staff.per_unit.{slug}")
        unit = by_slug[slug]
        names = structure.for_unit(unit.kind, unit.population).department_names
        for dept, n in per_dept.items():
            if dept not in names:
                raise ConfigError(
                    f"staff.per_unit.{slug}.{dept}",
                    f"unknown department {dept!r} of unit {slug} (its departments: {', '.join(names)})",
                )
            _at_least(per_dept, dept, 1, f"staff.per_unit.{slug}.", MAX_STAFF)


def _unit_staff(staff: dict, unit, own: Structure, allocation: dict[str, int], effort_by_field: dict,
                table: dict) -> list[int]:
    """A unit's processing officers per department: by ``staff.rule``, then ``staff.table`` and
    ``staff.per_unit`` where they give a department's."""
    processing = _staff_by_rule(staff, unit, own, allocation, effort_by_field.get(unit.kind, {}))
    overrides = {**table.get(unit.slug, {}), **staff["per_unit"].get(unit.slug, {})}
    processing = [overrides.get(d, n) for d, n in zip(own.department_names, processing)]
    unstaffed = [d for d, n in zip(own.department_names, processing) if n is None]
    if unstaffed:
        raise ConfigError("staff.table", f"{unit.slug} is of kind {unit.kind!r}, outside the units the city's "
                                         f"positions are spread over: give the staff of {', '.join(unstaffed)} "
                                         "in staff.table or staff.per_unit")
    return processing


def _rota_within_reach(units: tuple) -> None:
    """staff.desk_rota_share: no unit's counters may take more than MAX_DESK_ROTA_TIME_SHARE of its
    processing officers' time (the counters cannot be staffed from officers who are not there)."""
    for plan in units:
        officers = sum(plan.organisation.staff)
        if plan.desk_rota_share > 0 and plan.desk_rota_share * plan.desks > MAX_DESK_ROTA_TIME_SHARE * officers:
            raise ConfigError("staff.desk_rota_share",
                              f"{plan.desk_rota_share:g} of {plan.unit.slug}'s {plan.desks} counters would take "
                              f"{plan.desk_rota_share * plan.desks / officers:.0%} of its {officers} processing "
                              f"officers' time, more than {MAX_DESK_ROTA_TIME_SHARE:.0%}: fewer counters on the "
                              "rota, or more officers")


STAFF_RULES = ("allocated", "framework", "fixed")
DEPARTMENT_SPLITS = ("workload", "weights")


def _department_workload(staff: dict, effort_by_field: dict[str, float]):
    """What ``department_staff`` splits a unit's officers by: expected effort (None: staff weights)."""
    if staff["department_split"] == "weights":
        return None
    return lambda department: department_effort(department, effort_by_field)


def _allocation(staff: dict, units: list, structure: Structure, effort_by_field: dict, rate: float) -> dict[str, int]:
    """rule=allocated: the city's processing officers (positions x procedure_share) over every unit
    of the table (whatever is selected, so a unit's staff do not depend on the selection) in
    proportion to its expected staff minutes a day, each at least min_per_department per department."""
    floor = int(staff["min_per_department"])
    allocated = [u for u in units if u.kind in ALLOCATED_KINDS]  # the Centre's branches bring their own staff
    structures = [structure.for_unit(u.kind, u.population) for u in allocated]
    workloads = [u.population * rate * unit_effort(own, effort_by_field[u.kind]) for u, own in zip(allocated, structures)]
    claims = [Claim(u.slug, w, floor * len(own.departments)) for u, own, w in zip(allocated, structures, workloads)]
    weight = float(staff.get("framework_weight", 0.0))  # 0: by workload alone
    if weight > 0:  # part of the positions follow the framework headcount, capped, whatever the workload
        heads = [framework_headcount(u, staff["framework_base"], staff["framework_base_population"],
                                     staff["framework_residents_per_extra"],
                                     staff["framework_cap_ward"] if u.kind == "ward" else staff["framework_cap_commune"])
                 for u in allocated]
        total_work, total_heads = sum(workloads), sum(heads)
        # no expected work at all (a run without records, such as an M/M/c check): the framework alone
        work_share = [w / total_work if total_work > 0 else 0.0 for w in workloads]
        claims = [Claim(c.slug, (1 - weight) * share + weight * h / total_heads, c.minimum)
                  for c, share, h in zip(claims, work_share, heads)]
    total = round(int(staff["city_positions"]) * float(staff["procedure_share"]))
    needed = sum(c.minimum for c in claims)
    if total < needed:
        raise ConfigError("staff.city_positions",
                          f"{staff['city_positions']:,} positions x staff.procedure_share {staff['procedure_share']:g} "
                          f"give {total:,} processing officers, fewer than the {needed:,} that staff.min_per_department "
                          f"{floor} needs in the departments of the {len(claims)} units")
    return allocate(total, claims)


def _rule_total(staff: dict, unit, allocation: dict[str, int]) -> int | None:
    """A unit's processing officers under its base structure as ``staff.rule`` (allocated or
    framework) gives them; None where the rule does not staff the unit."""
    if staff["rule"] == "allocated":
        return allocation.get(unit.slug)
    cap = staff["framework_cap_ward"] if unit.kind == "ward" else staff["framework_cap_commune"]
    civil = framework_headcount(unit, staff["framework_base"], staff["framework_base_population"],
                                staff["framework_residents_per_extra"], cap)
    return round(civil * staff["procedure_share"])


def _within_quota(c: dict, structure: Structure, selected: list, allocation: dict[str, int],
                  effort_by_field: dict) -> None:
    """``structure.max_added_positions``: the positions the configured structure adds over Decree
    150's three departments in the run's units (:func:`positions_added`, under ``staff.rule`` and
    ``staff.policy``) may not exceed the quota. A fixed rule has no base to add to."""
    staff, quota = c["staff"], c["structure"].get("max_added_positions")
    if quota is None or staff["rule"] == "fixed":
        return
    added = 0
    for unit in selected:
        own, total = structure.for_unit(unit.kind, unit.population), _rule_total(staff, unit, allocation)
        if total is not None:
            rule = _staff_by_rule(staff, unit, own, allocation, effort_by_field.get(unit.kind, {}))
            added += positions_added(own, rule, total)
    if added > quota:
        raise ConfigError("structure.max_added_positions",
                          f"the structure {c['structure']['name']!r} with staff.policy={staff['policy']} adds {added:,} "
                          f"positions over Decree 150's departments in the run's units, more than the quota of {quota:,}")


def _staff_by_rule(staff: dict, unit, own: Structure, allocation: dict[str, int],
                   effort_by_field: dict[str, float]) -> list[int | None]:
    """Processing officers per department of ``unit`` as ``staff.rule`` gives them (None for a
    department of a node the rule does not staff)."""
    workload = _department_workload(staff, effort_by_field)
    floor = int(staff["min_per_department"])
    if staff["rule"] == "fixed":
        return [int(staff["fixed"])] * len(own.departments)
    total = _rule_total(staff, unit, allocation)
    if total is None:
        return [None] * len(own.departments)
    processing = department_staff(own, total, staff["policy"], workload, floor)
    for name, n in zip(own.department_names, processing):
        if n > MAX_STAFF:
            raise ConfigError("staff.city_positions" if staff["rule"] == "allocated" else "staff.procedure_share",
                              f"the {name} department of {unit.slug} would get {n:,} processing officers, "
                              f"more than {MAX_STAFF:,}")
    return processing


def _staff_table(path: str, structure: Structure, by_slug: dict) -> dict[str, dict[str, int]]:
    """staff.table read and checked against the units and their departments ({} when unset)."""
    if not path:
        return {}

    def departments_of(slug: str) -> tuple[str, ...] | None:
        unit = by_slug.get(slug)
        return structure.for_unit(unit.kind, unit.population).department_names if unit else None

    return read_staff_table(path, departments_of, MAX_STAFF)
