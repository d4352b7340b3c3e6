"""Three city plans under Decree 370's cap, compared (docs/recommend.md, "The city plan under Decree 370").

Each plan gives some of the run's units the departments of an alternative structure of
``recommend.structures`` while the city's average of organisations per unit (departments plus the
service point, over every unit of the city table) stays within ``structure.max_average_units``
and the positions it adds within ``structure.max_added_positions`` (when set):

* ``gain``: the units whose paired gain is clear, best gain per added department first
  (:func:`sim.experiments.structure_plan._plan`);
* ``class``: wards by their Decree 307 class (special, then I, II, III; more points first,
  :mod:`sim.model.unit_class`);
* ``population``: wards of ``recommend.plan_min_population`` residents or more, largest first.

The rules take, for each unit in turn, the structure adding the most departments that still fits.
A plan's cost is the positions (officers, heads and deputies) its units gain; its gain is the
change of the on-time share over the run's units: per replication, each chosen unit's paired change
weighted by its records received, over all the run's records received, then the mean and 95 %
interval over replications. This is the change of the pooled share when every unit's records of
known outcome are in proportion to its records received (an approximation: records not yet due at
the end are left out of the share's denominator).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.analysis.kpis import difference_interval
from sim.experiments.structure_plan import GAIN_KPI, Room, StructurePlan, city_room
from sim.model.unit_class import CLASSES, classify

PLANS = ("gain", "class", "population")
GAIN_BASIS = ("change of the on-time share over the run's units: each chosen unit's paired change weighted by its "
              "records received, per replication; mean and 95 % interval over replications")
CHANGE, LOW, HIGH = f"{GAIN_KPI}_change", f"{GAIN_KPI}_change_ci95_low", f"{GAIN_KPI}_change_ci95_high"
UNIT_COLUMNS = ["plan", "slug", "name", "kind", "unit_class", "points", "population", "structure",
                "extra_departments", "positions_added", CHANGE, LOW, HIGH]


@dataclass
class CityPlans:
    units: pd.DataFrame  # structure_plans.csv: one row per plan and unit chosen
    summary: pd.DataFrame  # one row per plan: units, departments, average against the cap, positions, gain


def _by_rule(table: pd.DataFrame, order: pd.DataFrame, room: Room) -> pd.DataFrame:
    """Units in ``order`` (slug column), each given the structure of ``table`` adding the most
    departments that still fits in ``room``; units no structure expands are passed over."""
    chosen = []
    grown = table[table["extra_departments"] > 0]
    for slug in order["slug"]:
        options = grown[grown["slug"] == slug].sort_values("extra_departments", ascending=False, kind="stable")
        taken = next((row for _, row in options.iterrows() if room.take(row)), None)
        if taken is not None:
            chosen.append(taken)
    return pd.DataFrame(chosen, columns=list(table.columns))


def choose(cfg: DictConfig, plan: StructurePlan, units: list, room: Room) -> dict[str, pd.DataFrame]:
    """Each plan's units (rows of ``plan.table``) with their Decree 307 class and points, given the
    city's ``units`` and the ``room`` the cap and the positions quota leave (:func:`city_room`; each
    rule books its own copy)."""
    in_run = set(plan.table["slug"])
    classes = pd.DataFrame(classify([u for u in units if u.slug in in_run],
                                    OmegaConf.to_container(cfg.structure.classes, resolve=True)))
    wards = classes[classes["kind"] == "ward"].copy()
    wards["rank"] = wards["unit_class"].map(CLASSES.index)
    by_class = wards.sort_values(["rank", "points", "population"], ascending=[True, False, False], kind="stable")
    large = wards[wards["population"] >= float(cfg.recommend.plan_min_population)]
    by_population = large.sort_values("population", ascending=False, kind="stable")
    chosen = {"gain": plan.chosen, "class": _by_rule(plan.table, by_class, dataclasses.replace(room)),
              "population": _by_rule(plan.table, by_population, dataclasses.replace(room))}
    keep = classes[["slug", "unit_class", "points", "population"]]
    return {name: frame.drop(columns=[c for c in ("unit_class", "points", "population") if c in frame])
            .merge(keep, on="slug", how="left") for name, frame in chosen.items()}


def plan_gain(paired: pd.DataFrame, chosen: pd.DataFrame) -> dict:
    """The change of the on-time share over the run's units (module docstring), mean and 95 % interval."""
    any_structure = paired.drop_duplicates(["slug", "replication"])
    totals = any_structure.groupby("replication")["received"].sum()
    picked = paired.merge(chosen[["slug", "structure"]], on=["slug", "structure"])
    weighted = (picked[CHANGE] * picked["received"]).groupby(picked["replication"]).sum()
    per_rep = (weighted.reindex(totals.index, fill_value=0.0) / totals).tolist()
    return difference_interval(GAIN_KPI, per_rep)


def city_plans(cfg: DictConfig, plan: StructurePlan) -> CityPlans:
    """The three plans (module docstring) over the paired comparison ``plan`` of sim.experiments.structure_plan."""
    units, organisations, limit, room = city_room(cfg)
    chosen = choose(cfg, plan, units, room)
    rows, summary = [], []
    for name in PLANS:
        frame = chosen[name].assign(plan=name)
        rows.append(frame.reindex(columns=UNIT_COLUMNS))
        added = int(frame["extra_departments"].sum())
        gain = plan_gain(plan.paired, frame) if plan.paired is not None else {"mean": None, "ci95_low": None,
                                                                               "ci95_high": None}
        summary.append({"plan": name, "units": len(frame), "departments_added": added,
                        "average_before": organisations / len(units),
                        "average_after": (organisations + added) / len(units), "limit": limit,
                        "positions_added": int(frame["positions_added"].sum()),
                        CHANGE: gain["mean"], LOW: gain["ci95_low"], HIGH: gain["ci95_high"], "gain_basis": GAIN_BASIS})
    return CityPlans(pd.concat(rows, ignore_index=True), pd.DataFrame(summary))
