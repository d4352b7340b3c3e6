"""Which units gain from a fourth or fifth department, and a city plan within Decree 370's limit.

Each structure of ``recommend.structures`` runs the units (not the Centre's branches, which keep
their own departments) on the same replications as the configured structure (common random
numbers); a unit's gain is the paired per-replication difference of its on-time share of records
received, with its 95 % interval. The plan then takes the units whose whole interval lies above 0,
largest gain per added department first, while the city's average of organisations per unit
(departments plus the service point, as ``structure.max_average_units`` counts them, over every
unit of the city table) stays within the limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.analysis.kpis import difference_interval
from sim.config.build import load_structure_config
from sim.config.schema import StructureConfig
from sim.errors import ConfigError
from sim.experiments.comparison import Variant, run_variant
from sim.model.city import CENTRE_KIND, load_units

GAIN_KPI = "on_time_of_received_pct"
ALSO = ("desk_wait_p90_min", "lead_time_mean_wd")


@dataclass
class StructurePlan:
    table: pd.DataFrame  # one row per unit and alternative structure: departments, gain with 95 % interval
    chosen: pd.DataFrame  # the units of the plan, with the structure each takes
    limit: float
    average_before: float
    average_after: float


def _units_only(cfg: DictConfig) -> DictConfig:
    v = cfg.copy()
    branches = set(cfg.centre.branches)
    OmegaConf.update(v, "city.units", [s for s in cfg.city.units if s not in branches], merge=False)
    OmegaConf.update(v, "centre.enabled", False, merge=False)
    return v


def structure_plan(cfg: DictConfig, workers: int | None = None) -> StructurePlan | None:
    """The paired comparison of each unit under each structure of ``recommend.structures`` and the
    plan (see the module's docstring); None when no structure is listed or no unit is selected."""
    names = list(cfg.recommend.structures)
    if not names:
        return None
    if cfg.city.units and all(s in cfg.centre.branches for s in cfg.city.units):
        return None
    base_cfg = _units_only(cfg)
    runs = {}
    for k, name in enumerate(names):
        key = f"recommend.structures[{k}]"
        if name == cfg.structure.name:
            raise ConfigError(key, f"{name!r} is the configured structure: list the alternatives only")
        v = base_cfg.copy()
        v.structure = OmegaConf.merge(OmegaConf.structured(StructureConfig), load_structure_config(name, key))
        run = run_variant(Variant(name, name, str(cfg.staff.policy), v), workers=workers)
        runs[name] = (run.scenario, run)
    base = run_variant(Variant(cfg.structure.name, cfg.structure.name, str(cfg.staff.policy), base_cfg), workers=workers)
    base_departments = {p.unit.slug: len(p.organisation.structure.departments) for p in base.scenario.units}
    rows = []
    for name, (scenario, run) in runs.items():
        joined = run.units.merge(base.units, on=["slug", "replication"], suffixes=("", "_base"))
        for plan in scenario.units:
            sub = joined[joined["slug"] == plan.unit.slug]
            extra = len(plan.organisation.structure.departments) - base_departments[plan.unit.slug]
            row = {"slug": plan.unit.slug, "name": plan.unit.name, "kind": plan.unit.kind, "structure": name,
                   "unit_structure": plan.organisation.structure.name, "extra_departments": extra}
            for kpi in (GAIN_KPI, *ALSO):
                ci = difference_interval(kpi, list(sub[kpi] - sub[f"{kpi}_base"]))
                row.update({f"{kpi}_change": ci["mean"], f"{kpi}_change_ci95_low": ci["ci95_low"],
                            f"{kpi}_change_ci95_high": ci["ci95_high"]})
            rows.append(row)
    table = pd.DataFrame(rows)
    return _plan(cfg, table)


def _plan(cfg: DictConfig, table: pd.DataFrame) -> StructurePlan:
    """Choose, within the limit, the units where an extra department gains most (per department added)."""
    from sim.config.build import _structure

    structure = _structure(OmegaConf.to_container(cfg.structure, resolve=True), "structure")
    units = [u for u in load_units(cfg.city.table, cfg.city.suspect_population) if u.kind != CENTRE_KIND]
    organisations = sum(len(structure.for_unit(u.kind, u.population).departments) + 1 for u in units)
    limit = float(cfg.structure.max_average_units)
    room = math.floor(limit * len(units) - organisations + 1e-9)
    low = f"{GAIN_KPI}_change_ci95_low"
    gaining = table[(table["extra_departments"] > 0) & table[low].notna() & (table[low] > 0)].copy()
    gaining["gain_per_department"] = gaining[f"{GAIN_KPI}_change"] / gaining["extra_departments"]
    best = gaining.sort_values("gain_per_department", ascending=False).drop_duplicates("slug")
    chosen, used = [], 0
    for _, row in best.iterrows():
        if used + row["extra_departments"] <= room:
            chosen.append(row)
            used += int(row["extra_departments"])
    chosen_frame = pd.DataFrame(chosen, columns=list(best.columns))
    return StructurePlan(table, chosen_frame.reset_index(drop=True), limit, organisations / len(units),
                         (organisations + used) / len(units))
