"""Desk waits per counter group, and the citizens the desks asked to come back another day.

A unit's citizens queue at the counter group of their procedure's field (``desks.groups``; one
pooled group, ``all``, when the desks are not split). The table here gives, per counter group,
for the whole run (every unit and Centre branch) and for each unit, the same desk-wait KPIs as
``sim.analysis.kpis`` (mean, exact median, 90th and 95th percentiles, share over the wait target),
each computed per replication and averaged over the replications, as ``units.csv`` does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.front_desk import FRONT_DESK_COUNTS
from sim.analysis.kpis import wait_quantile
from sim.model.scenario import Scenario

def group_wait_kpis(waits: np.ndarray, target: float) -> dict[str, float]:
    """The desk-wait KPIs of the served citizens' ``waits``."""
    n = len(waits)
    return {
        "served_at_desk": float(n),
        "desk_wait_mean_min": float(waits.mean()) if n else np.nan,
        "desk_wait_median_min": wait_quantile(waits, 0.5),
        "desk_wait_p90_min": wait_quantile(waits, 0.9),
        "desk_wait_p95_min": wait_quantile(waits, 0.95),
        "desk_wait_over_target_pct": float(100 * (waits > target).mean()) if n else np.nan,
    }


def counter_group_table(scenario: Scenario, results: list) -> pd.DataFrame:
    """One row per counter group for the whole run (slug ``city``) and per unit and group: its desks,
    the desk-wait KPIs of the citizens in its line, and the citizens its own desks served (from
    any line: a general counter takes every group's citizens) and per desk and open day; each the
    mean over replications of each replication's figure."""
    groups = scenario.desk_policy.groups
    target = scenario.desk_policy.wait_target_minutes
    rows = []

    def row(slug: str, kind: str, g: int, desks: int, per_rep: list[np.ndarray], served: list[float],
            desk_days: list[float]) -> dict:
        kpis = pd.DataFrame([group_wait_kpis(w.astype(float), target) for w in per_rep]).mean().to_dict()
        per_desk = [s / d for s, d in zip(served, desk_days) if d > 0]
        return {"slug": slug, "kind": kind, "group": groups[g], "desks": desks, **kpis,
                "served_by_its_desks": float(np.mean(served)),
                "served_per_desk_per_day": float(np.mean(per_desk)) if per_desk else np.nan}

    def desks_of(plan, g: int) -> int:
        return plan.desk_plan.counts[g] if g < len(plan.desk_plan.counts) else 0

    def served_by(r, g: int) -> float:
        return float((r.served_groups == g).sum())

    def desk_days(r, plan, g: int) -> float:
        return float(desks_of(plan, g) * r.open_days.sum())

    units = scenario.units
    for g in range(len(groups)):
        per_rep = [np.concatenate([r.waits[r.wait_groups == g] for r in rep]) for rep in results]
        rows.append(row("city", "city", g, sum(desks_of(p, g) for p in units), per_rep,
                        [sum(served_by(r, g) for r in rep) for rep in results],
                        [sum(desk_days(r, units[r.position], g) for r in rep) for rep in results]))
    for position, plan in enumerate(units):
        for g in range(len(groups)):
            reps = [rep[position] for rep in results]
            rows.append(row(plan.unit.slug, plan.unit.kind, g, desks_of(plan, g), [r.waits[r.wait_groups == g] for r in reps],
                            [served_by(r, g) for r in reps], [desk_days(r, plan, g) for r in reps]))
    return pd.DataFrame(rows)


def unit_counter_columns(scenario: Scenario, results: list, position: int) -> dict:
    """units.csv's counter columns of one unit: desks per group (with groups on), and the citizens
    asked to come back and their return visits (means over replications)."""
    plan = scenario.units[position]
    columns = {}
    if len(scenario.desk_policy.groups) > 1:
        counts = plan.desk_plan.counts
        columns = {f"desks_{name}": counts[g] for g, name in enumerate(scenario.desk_policy.groups)}
    front = np.mean([rep[position].front_desk for rep in results], axis=0)
    columns.update(zip(FRONT_DESK_COUNTS, front.tolist()))
    return columns
