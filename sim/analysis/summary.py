"""Replications pooled into what a run reports: city KPIs with 95 % intervals and tidy tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.intervals import mean_ci95
from sim.analysis.kpis import KPI_NAMES, department_kpis, kpis, pooled_kpis
from sim.analysis.unit_counts import DAILY, UnitResult, WAIT_BIN_MINUTES
from sim.model.city import KINDS
from sim.model.scenario import Scenario


@dataclass
class RunSummary:
    summary: dict  # what summary.json holds
    units: pd.DataFrame  # one row per unit, KPI means over replications
    departments: pd.DataFrame  # one row per unit and department
    daily: pd.DataFrame  # city totals per day, mean over replications
    wait_hist: np.ndarray  # served citizens' desk waits, all units and replications
    wait_bin_minutes: float = WAIT_BIN_MINUTES


def summarise(scenario: Scenario, results: list[list[UnitResult]]) -> RunSummary:
    city_by_rep = [pooled_kpis(rep) for rep in results]
    kinds = {}
    for kind in KINDS:
        by_rep = [pooled_kpis([r for r in rep if scenario.units[r.position].unit.kind == kind]) for rep in results
                  if any(scenario.units[r.position].unit.kind == kind for r in rep)]
        if by_rep:
            kinds[kind] = {name: mean_ci95([k[name] for k in by_rep]) for name in KPI_NAMES}
    summary = {
        "scenario": scenario.name,
        "structure": scenario.structure.name,
        "seed": scenario.seed,
        "replications": scenario.replications,
        "start": scenario.start.isoformat(),
        "end": scenario.end.isoformat(),
        "units": len(scenario.units),
        "kpis": {name: mean_ci95([k[name] for k in city_by_rep]) for name in KPI_NAMES},
        "by_kind": kinds,
    }
    return RunSummary(summary, _unit_table(scenario, results), _department_table(scenario, results),
                      _daily_table(scenario, results), np.sum([r.wait_hist for rep in results for r in rep], axis=0))


def _unit_table(scenario: Scenario, results: list[list[UnitResult]]) -> pd.DataFrame:
    rows = []
    for position, plan in enumerate(scenario.units):
        per_rep = pd.DataFrame([kpis(rep[position].counts, rep[position].wait_hist, rep[position].wait_max)
                                for rep in results])
        u = plan.unit
        rows.append({
            "slug": u.slug, "name": u.name, "kind": u.kind, "population": u.population,
            "population_imputed": u.population_imputed, "desks": plan.desks, "staff": sum(plan.staff),
            **per_rep.mean().to_dict(),
        })
    return pd.DataFrame(rows)


def _department_table(scenario: Scenario, results: list[list[UnitResult]]) -> pd.DataFrame:
    rows = []
    for position, plan in enumerate(scenario.units):
        organisation = plan.organisation
        for d, dept in enumerate(organisation.structure.department_names):
            per_rep = pd.DataFrame([department_kpis(rep[position].departments[d]) for rep in results])
            rows.append({"slug": plan.unit.slug, "kind": plan.unit.kind, "structure": organisation.structure.name,
                         "department": dept, "staff": organisation.staff[d], "approvers": organisation.approvers[d],
                         **per_rep.mean().to_dict()})
    return pd.DataFrame(rows)


def _daily_table(scenario: Scenario, results: list[list[UnitResult]]) -> pd.DataFrame:
    city = np.mean([np.sum([r.daily for r in rep], axis=0) for rep in results], axis=0)
    frame = pd.DataFrame(city, columns=DAILY)
    frame.insert(0, "date", [(scenario.start + dt.timedelta(days=d)).isoformat() for d in range(scenario.days)])
    return frame
