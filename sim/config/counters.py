"""``desks.groups``, ``desks.land_intake`` and ``desks.other_duties_share`` validated and applied:
the counter groups of the desk policy, each procedure's group and intake cap, and each unit's desks
per group and land files a day.

Kept apart from :mod:`sim.config.build`, which calls :func:`desk_groups` and :func:`with_counters`;
``check_range`` is passed in so that this module does not import the builder.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Callable

from sim.errors import ConfigError
from sim.model.catalogue import Procedure
from sim.model.city import CENTRE_KIND
from sim.model.counters import group_split, group_weights  # noqa: F401 (importable here, as before)
from sim.model.scenario import DeskPolicy, UnitPlan
from sim.model.unit_plan import PlanBuilder

TAKE_RULES = ("strict", "when_idle")
MAX_DESKS = 1000


def desk_groups(d: dict, procedures: tuple[Procedure, ...], policy: DeskPolicy, check_range: Callable
                ) -> tuple[DeskPolicy, tuple[int, ...], tuple[bool, ...]]:
    """The desk policy with its counter groups and other duties, each procedure's counter group
    (() when the desks are pooled) and whether it counts against the land intake cap (() without a cap).

    Why one function: the ``desks`` section's keys are checked together where they enter (a group's
    fields against the catalogue and the other groups, its take rule against the groups), each
    guard naming its key; the branches are those checks, not logic to test apart."""
    share = d["other_duties_share"]
    check_range(share, "desks.other_duties_share", 0.0)
    if share >= 1:
        raise ConfigError("desks.other_duties_share", f"must be below 1 (the desks would never serve), got {share:g}")
    policy = dataclasses.replace(policy, other_duties_share=float(share))
    known = sorted({p.field for p in procedures})

    def field_of(name: str, key: str) -> str:
        if name not in known:
            raise ConfigError(key, f"unknown field {name!r} (the catalogue's fields: {', '.join(known)})")
        return name

    capped: tuple[bool, ...] = ()
    intake = d["land_intake"]
    if intake["enabled"]:
        fields = {field_of(f, "desks.land_intake.fields") for f in intake["fields"]}
        check_range(intake["per_specialist"], "desks.land_intake.per_specialist", 0.0, 10_000.0)
        check_range(intake["specialists"], "desks.land_intake.specialists", 0, MAX_DESKS)
        for slug, n in intake["per_unit"].items():
            check_range(n, f"desks.land_intake.per_unit.{slug}", 0, MAX_DESKS)
        capped = tuple(p.field in fields for p in procedures)

    g = d["groups"]
    if g["take"] not in TAKE_RULES:  # checked with the groups off too: a typo stops the run either way
        raise ConfigError("desks.groups.take", f"unknown value {g['take']!r}; choose one of {', '.join(TAKE_RULES)}")
    if not g["enabled"]:
        return policy, (), capped
    names = tuple(g["fields"])
    if not names:
        raise ConfigError("desks.groups.fields", "no counter group is given")
    owner: dict[str, str] = {}
    for name in names:
        for f in g["fields"][name]:
            key = f"desks.groups.fields.{name}"
            field_of(f, key)
            if f in owner:
                raise ConfigError(key, f"field {f!r} is in two groups, {owner[f]} and {name}")
            owner[f] = name
    general = tuple(not g["fields"][name] for name in names)
    stray = [f for f in known if f not in owner]
    if stray and not any(general):
        raise ConfigError("desks.groups.fields", f"field(s) {', '.join(stray)} in no group, and no general group "
                                                 "(one with no fields) to take them")
    fallback = general.index(True) if any(general) else -1
    index = {name: k for k, name in enumerate(names)}
    of_procedure = tuple(index[owner[p.field]] if p.field in owner else fallback for p in procedures)
    for slug, counts in g["per_unit"].items():
        for name, n in counts.items():
            if name not in index:
                raise ConfigError(f"desks.groups.per_unit.{slug}.{name}",
                                  f"unknown counter group {name!r} (the groups: {', '.join(names)})")
            check_range(n, f"desks.groups.per_unit.{slug}.{name}", 0, MAX_DESKS)
        if sum(counts.values()) < 1:
            raise ConfigError(f"desks.groups.per_unit.{slug}", "gives no desk at all")
    policy = dataclasses.replace(policy, groups=names, general=general, take=str(g["take"]))
    return policy, of_procedure, capped


def with_counters(d: dict, plans: tuple[UnitPlan, ...], builder: PlanBuilder,
                  capped: tuple[bool, ...]) -> tuple[UnitPlan, ...]:
    """Each unit's plan remade by ``builder`` with its desks per counter group (``desks.groups.per_unit``,
    else its total split by the rule) and land files a day (the City Centre's branches are not capped)."""
    groups, intake = d["groups"], d["land_intake"]
    out = []
    for plan in plans:
        counters: int | tuple[int, ...] = plan.desks
        given = groups["per_unit"].get(plan.unit.slug) if builder.grouped else None
        if given is not None:
            counters = tuple(int(given.get(name, 0)) for name in builder.desk_policy.groups)
        intake_per_day = None  # none: the plan's own (no cap)
        if capped and plan.unit.kind != CENTRE_KIND:
            specialists = intake["per_unit"].get(plan.unit.slug, intake["specialists"])
            # at least one file a day: a cap of 0 would turn every land citizen away for ever
            intake_per_day = max(1, int(math.floor(intake["per_specialist"] * specialists + 0.5)))
        out.append(builder.replan(plan, counters=counters, intake_per_day=intake_per_day))
    return tuple(out)
