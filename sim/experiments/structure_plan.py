"""Which units gain from a fourth or fifth department, and a city plan within Decree 370's limit.

Each structure of ``recommend.structures`` runs the units (not the Centre's branches, which keep
their own departments) on the same replications as the configured structure (common random
numbers); a unit's gain is the paired per-replication difference of its on-time share of records
received, with its 95 % interval, and its cost in positions (officers, heads and deputies under the
structure, less today's). The plan then takes the units whose whole interval lies above 0,
largest gain per added department first, while the city's average of organisations per unit
(departments plus the service point, as ``structure.max_average_units`` counts them, over every
unit of the city table) stays within the limit. sim.experiments.city_plans sets two rule-based
plans (by Decree 307 class, by population) beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.analysis.kpis import difference_interval
from sim.config.build import build_scenario, load_structure_config
from sim.config.schema import StructureConfig
from sim.errors import ConfigError
from sim.experiments.comparison import Variant, run_variant
from sim.model.city import CENTRE_KIND, load_units

GAIN_KPI = "on_time_of_received_pct"
ALSO = ("desk_wait_p90_min", "lead_time_mean_wd")


@dataclass
class StructurePlan:
    table: pd.DataFrame  # one row per unit and alternative structure: departments, positions, gain with 95 % interval
    chosen: pd.DataFrame  # the units of the plan, with the structure each takes
    limit: float
    average_before: float
    average_after: float
    # one row per unit, alternative structure and replication: the paired change of GAIN_KPI and the
    # unit's records received (the same under every structure: common random numbers)
    paired: pd.DataFrame | None = None
    plans: object = None  # the three city plans compared (sim.experiments.city_plans.CityPlans), when made


def positions(organisation) -> int:
    """A unit's positions in its departments: processing officers, heads and deputies."""
    return int(sum(organisation.staff) + sum(organisation.approvers))


def _units_only(cfg: DictConfig) -> DictConfig:
    v = cfg.copy()
    branches = set(cfg.centre.branches)
    OmegaConf.update(v, "city.units", [s for s in cfg.city.units if s not in branches], merge=False)
    OmegaConf.update(v, "centre.enabled", False, merge=False)
    return v


def _with_counts(cfg: DictConfig, counts: dict[str, tuple[dict[str, int], dict[str, int]]]) -> DictConfig:
    """``cfg`` with each unit's counters (per group, or "all") and officers per department set."""
    v = cfg.copy()
    grouped = bool(cfg.desks.groups.enabled)
    for slug, (desks, staff) in counts.items():
        if grouped:
            OmegaConf.update(v, f"desks.groups.per_unit.{slug}", dict(desks), merge=False, force_add=True)
        else:
            OmegaConf.update(v, f"desks.per_unit.{slug}", int(desks["all"]), merge=False, force_add=True)
        if staff:
            OmegaConf.update(v, f"staff.per_unit.{slug}", dict(staff), merge=False, force_add=True)
    return v


def staff_under(structure, base, base_staff: dict[str, int], policy: str, effort_by_field: dict[str, float],
                minimum: int) -> dict[str, int]:
    """A unit's officers per department under ``structure`` from its officers under the ``base``
    structure, as sim.model.structures.department_staff moves them: departments the base has
    unchanged keep theirs, the new ones share the officers of those they replace by workload, and
    each department the base lacks finds its head by the staffing ``policy``."""
    from sim.model.staffing import department_effort
    from sim.model.structures import split_with_floor, staff_moved

    def by_workload(n: int, departments: list) -> list[int]:
        return split_with_floor(n, [department_effort(d, effort_by_field) for d in departments], minimum)

    return dict(zip(structure.department_names, staff_moved(structure, base, base_staff, policy, by_workload)))


def structure_plan(cfg: DictConfig, workers: int | None = None, recommendation=None) -> StructurePlan | None:
    """The paired comparison of each unit under each structure of ``recommend.structures`` and the
    plan (see the module's docstring); None when no structure is listed or no unit is selected.
    Given a :class:`sim.experiments.recommendation.Recommendation`, every structure runs at its
    recommended counts (lean staffing, where a department's breadth tells) instead of today's: the
    same counters, the same officers per unit, moved to the new departments as the structure's
    staffing policy says."""
    names = list(cfg.recommend.structures)
    if not names:
        return None
    if cfg.city.units and all(s in cfg.centre.branches for s in cfg.city.units):
        return None
    base_cfg = _units_only(cfg)
    counts = _recommended(recommendation) if recommendation is not None else {}
    base_plans = {p.unit.slug: p for p in build_scenario(base_cfg).units} if counts else {}
    runs = {}
    for k, name in enumerate(names):
        key = f"recommend.structures[{k}]"
        if name == cfg.structure.name:
            raise ConfigError(key, f"{name!r} is the configured structure: list the alternatives only")
        v = base_cfg.copy()
        v.structure = OmegaConf.merge(OmegaConf.structured(StructureConfig), load_structure_config(name, key))
        if counts:
            from sim.model.staffing import field_effort

            moved = {}
            for plan in build_scenario(v).units:
                desks, staff = counts[plan.unit.slug]
                base = base_plans[plan.unit.slug].organisation.structure
                effort = field_effort(recommendation.scenario.procedures, plan.unit.kind)
                moved[plan.unit.slug] = (desks, staff_under(plan.organisation.structure, base, staff, str(cfg.staff.policy),
                                                            effort, max(1, int(cfg.staff.min_per_department))) if staff else {})
            v = _with_counts(v, moved)
        run = run_variant(Variant(name, name, str(cfg.staff.policy), v), workers=workers)
        runs[name] = (run.scenario, run)
    if counts:
        base_cfg = _with_counts(base_cfg, counts)
    base = run_variant(Variant(cfg.structure.name, cfg.structure.name, str(cfg.staff.policy), base_cfg), workers=workers)
    base_orgs = {p.unit.slug: p.organisation for p in base.scenario.units}
    rows, paired = [], []
    for name, (scenario, run) in runs.items():
        joined = run.units.merge(base.units, on=["slug", "replication"], suffixes=("", "_base"))
        paired.append(pd.DataFrame({"slug": joined["slug"], "structure": name, "replication": joined["replication"],
                                    f"{GAIN_KPI}_change": joined[GAIN_KPI] - joined[f"{GAIN_KPI}_base"],
                                    "received": joined["received_base"]}))
        for plan in scenario.units:
            sub = joined[joined["slug"] == plan.unit.slug]
            base_org = base_orgs[plan.unit.slug]
            extra = len(plan.organisation.structure.departments) - len(base_org.structure.departments)
            row = {"slug": plan.unit.slug, "name": plan.unit.name, "kind": plan.unit.kind, "structure": name,
                   "unit_structure": plan.organisation.structure.name, "extra_departments": extra,
                   "positions_added": positions(plan.organisation) - positions(base_org)}
            for kpi in (GAIN_KPI, *ALSO):
                ci = difference_interval(kpi, list(sub[kpi] - sub[f"{kpi}_base"]))
                row.update({f"{kpi}_change": ci["mean"], f"{kpi}_change_ci95_low": ci["ci95_low"],
                            f"{kpi}_change_ci95_high": ci["ci95_high"]})
            rows.append(row)
    table = pd.DataFrame(rows)
    result = _plan(cfg, table)
    result.paired = pd.concat(paired, ignore_index=True)
    return result


def _recommended(recommendation) -> dict[str, tuple[dict[str, int], dict[str, int]]]:
    """Each unit's (not branch's) recommended counters per group and officers per department."""
    out = {}
    for search in recommendation.searches:
        plan = recommendation.scenario.units[search.position]
        if plan.unit.kind == CENTRE_KIND:
            continue
        desks = {r.name: v for r, v in zip(search.resources, search.x) if r.kind == "counters"}
        staff = {r.name: v for r, v in zip(search.resources, search.x) if r.kind == "officers"}
        out[plan.unit.slug] = (desks, staff)
    return out


def city_room(cfg: DictConfig) -> tuple[list, int, float, "Room"]:
    """The city's units (not the Centre's branches), their organisations today (departments of the
    configured structure plus the service point), the Decree 370 limit per unit and the
    :class:`Room` left: departments within that limit, positions within
    ``structure.max_added_positions``."""
    from sim.config.build import _structure

    structure = _structure(OmegaConf.to_container(cfg.structure, resolve=True), "structure")
    units = [u for u in load_units(cfg.city.table, cfg.city.suspect_population) if u.kind != CENTRE_KIND]
    organisations = sum(len(structure.for_unit(u.kind, u.population).departments) + 1 for u in units)
    limit = float(cfg.structure.max_average_units)
    quota = cfg.structure.max_added_positions
    room = Room(math.floor(limit * len(units) - organisations + 1e-9), None if quota is None else int(quota))
    return units, organisations, limit, room


@dataclass
class Room:
    """What a city plan may still add: departments (Decree 370's average) and positions (the
    payroll quota; None: not limited). :meth:`take` books a unit's row if both still fit."""

    departments: int
    positions: int | None = None
    used_departments: int = 0
    used_positions: int = 0

    def take(self, row) -> bool:
        departments, positions = int(row["extra_departments"]), int(row.get("positions_added", 0) or 0)
        if self.used_departments + departments > self.departments:
            return False
        if self.positions is not None and self.used_positions + positions > self.positions:
            return False
        self.used_departments += departments
        self.used_positions += positions
        return True


def _plan(cfg: DictConfig, table: pd.DataFrame) -> StructurePlan:
    """Choose, within the limit, the units where an extra department gains most (per department added)."""
    units, organisations, limit, room = city_room(cfg)
    low = f"{GAIN_KPI}_change_ci95_low"
    gaining = table[(table["extra_departments"] > 0) & table[low].notna() & (table[low] > 0)].copy()
    gaining["gain_per_department"] = gaining[f"{GAIN_KPI}_change"] / gaining["extra_departments"]
    best = gaining.sort_values("gain_per_department", ascending=False).drop_duplicates("slug")
    chosen = [row for _, row in best.iterrows() if room.take(row)]
    chosen_frame = pd.DataFrame(chosen, columns=list(best.columns))
    return StructurePlan(table, chosen_frame.reset_index(drop=True), limit, organisations / len(units),
                         (organisations + room.used_departments) / len(units))
