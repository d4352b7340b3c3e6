"""Replications pooled into what a run reports: city KPIs with 95 % intervals and tidy tables."""

from __future__ import annotations

import math

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.analysis.counter_groups import counter_group_table, unit_counter_columns
from sim.analysis.intervals import replication_warnings
from sim.analysis.kpis import KPI_NAMES, WAIT_QUANTILE_METHOD, department_kpis, kpi_interval, pooled_kpis, unit_kpis
from sim.analysis.scopes import SCOPES, in_scope, scope_of
from sim.analysis.unit_counts import DAILY, UnitResult
from sim.model.city import KINDS
from sim.model.scenario import Scenario

INTERVAL_METHOD = ("Student t 95 % interval over replications, cut to the KPI's range (shares 0-100, counts, "
                   "waits and times at least 0, staff and head utilisation 0-1)")
# KPIs whose per-unit 95 % interval units.csv gives, as <kpi>_ci95_low and <kpi>_ci95_high
UNIT_INTERVAL_KPIS = ("on_time_of_received_pct", "on_time_pct", "abandoned_of_received_pct", "desk_wait_mean_min",
                      "desk_wait_p90_min", "lead_time_mean_wd", "staff_utilisation")
BUSY_UTILISATION = 0.9  # assumption: a department whose officers work more of their time than this is a bottleneck


@dataclass
class RunSummary:
    summary: dict  # what summary.json holds
    units: pd.DataFrame  # one row per unit, KPI means over replications
    departments: pd.DataFrame  # one row per unit and department
    daily: pd.DataFrame  # city totals per day, mean over replications
    waits: np.ndarray  # every served citizen's desk wait (minutes), all units and replications
    # per clock hour, the time-average number waiting in the desk queue: median and 90th percentile
    # over open days (of every replication), for the city and for ``queue_unit``
    queue_by_hour: pd.DataFrame = field(default_factory=pd.DataFrame)
    queue_unit: str = ""  # slug of the unit in queue_by_hour
    queue_unit_chosen_by: str = ""  # "report.queue_unit", or why the run chose it
    queue_days: dict = field(default_factory=dict)  # days each quantile is over: {"city": n, "unit": n}
    opening_hours: tuple[int, int] = (0, 24)  # clock hours [first, last) some desk session covers
    # desk waits per counter group, for the run and per unit (sim.analysis.counter_groups)
    counter_groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    wait_target_minutes: float = math.nan  # desks.wait_target_minutes, drawn on the per-unit wait plot
    on_time_target_pct: float = 95.0  # report.on_time_target_pct: the verdict and the map hold units to it
    language: str = "en"  # report.language: report.html's and the map's words


def summarise(scenario: Scenario, results: list[list[UnitResult]], provenance: dict | None = None) -> RunSummary:
    """Pool the replications into summary.json's content and the tables; ``provenance`` (the
    simulator's version and the configuration's hash, :mod:`sim.config.provenance`) is recorded.

    Why one function: summary.json is one document; its scopes (city, kinds, units, Centre) are
    pooled the same way in short loops whose conditions are "this scope has units in the run"."""
    city_by_rep = [pooled_kpis(rep) for rep in results]
    kinds = {}
    for kind in KINDS:
        by_rep = [pooled_kpis([r for r in rep if scenario.units[r.position].unit.kind == kind]) for rep in results
                  if any(scenario.units[r.position].unit.kind == kind for r in rep)]
        if by_rep:
            kinds[kind] = {name: kpi_interval(name, [k[name] for k in by_rep]) for name in KPI_NAMES}
    scopes = {}
    for scope in SCOPES:
        by_rep = [pooled_kpis(chosen) for rep in results
                  if (chosen := [r for r in rep if in_scope(scenario.units[r.position].unit.kind, scope)])]
        if by_rep:
            scopes[scope] = {name: kpi_interval(name, [k[name] for k in by_rep]) for name in KPI_NAMES}
    departments = _department_table(scenario, results)
    nodes = [scope_of(plan.unit.kind) for plan in scenario.units]
    summary = {
        "scenario": scenario.name,
        "structure": scenario.structure.name,
        "seed": scenario.seed,
        "replications": scenario.replications,
        "start": scenario.start.isoformat(),
        "end": scenario.end.isoformat(),
        "units": nodes.count("units"),  # wards and communes
        "centre_branches": nodes.count("centre"),
        "overtime_enabled": scenario.back_office.overtime.enabled,  # the printed summary shows overtime only then
        "visits_enabled": scenario.visits_enabled,  # ... and the desk visits by kind (desks.visits) only then
        "kpis": {name: kpi_interval(name, [k[name] for k in city_by_rep]) for name in KPI_NAMES},  # scope all
        "scopes": scopes,  # units, centre and all, each where the run has a node of it
        "by_kind": kinds,
        "interval_method": INTERVAL_METHOD,
        "busy_departments": _busy_departments(departments),
        "warnings": replication_warnings(len(results)),
        "provenance": provenance or {},
    }
    units = _unit_table(scenario, results, departments)
    queue_unit, chosen_by = _queue_unit(scenario, units)
    by_hour, days = queue_by_hour_table(scenario, results, queue_unit)
    return RunSummary(summary, units, departments, _daily_table(scenario, results),
                      np.concatenate([r.waits for rep in results for r in rep]), by_hour, queue_unit, chosen_by, days,
                      _opening_hours(scenario), counter_group_table(scenario, results),
                      scenario.desk_policy.wait_target_minutes, scenario.on_time_target_pct, scenario.report_language)


def _opening_hours(scenario: Scenario) -> tuple[int, int]:
    """The clock hours [first, last) from the earliest session start to the latest session end."""
    spec = scenario.calendar
    sessions = spec.sessions + spec.saturday_sessions
    if spec.always_open or not sessions:
        return 0, 24
    return min(s for s, _ in sessions) // 60, min(-(-max(e for _, e in sessions) // 60), 24)


def _queue_unit(scenario: Scenario, units: pd.DataFrame) -> tuple[str, str]:
    """The unit whose queue by hour is shown beside the city's, and why: ``report.queue_unit``, else
    the unit with the longest mean desk wait (the first in table order on a tie)."""
    if scenario.queue_unit:
        return scenario.queue_unit, "report.queue_unit"
    waits = units["desk_wait_mean_min"]
    if waits.notna().any():
        row = units.loc[waits.idxmax()]
        return row["slug"], f"longest mean desk wait, {row['desk_wait_mean_min']:.1f} min"
    return units["slug"].iloc[0], "first unit (no citizen served)"


QUEUE_QUANTILES = {"median": 0.5, "p90": 0.9}  # over open days, per clock hour


def queue_by_hour_table(scenario: Scenario, results: list[list[UnitResult]],
                        slug: str) -> tuple[pd.DataFrame, dict[str, int]]:
    """Per clock hour (0-23): the median and 90th percentile over the open days of every
    replication of the time-average number waiting in the desk queue in that hour, for the city
    (every unit's line added up, over the days any unit is open) and for the unit ``slug``. A
    quantile is the figure of some day (numpy's ``inverted_cdf``). Also: the number of days each
    quantile is taken over (replications together)."""
    position = next(p for p, plan in enumerate(scenario.units) if plan.unit.slug == slug)
    city = np.concatenate([np.sum([r.queue_by_hour for r in rep], axis=0, dtype=float)
                           [np.any([r.open_days for r in rep], axis=0)] for rep in results])
    unit = np.concatenate([rep[position].queue_by_hour.astype(float)[rep[position].open_days] for rep in results])
    table = {"hour": np.arange(24)}
    for who, days in (("city", city), ("unit", unit)):
        for name, q in QUEUE_QUANTILES.items():
            table[f"{who}_{name}"] = (np.quantile(days, q, axis=0, method=WAIT_QUANTILE_METHOD) if len(days)
                                      else np.full(24, np.nan))
    return pd.DataFrame(table), {"city": len(city), "unit": len(unit)}


def _busy_departments(departments: pd.DataFrame) -> dict:
    """Unit departments whose staff utilisation (mean over replications) is above BUSY_UTILISATION."""
    busy = departments[departments["staff_utilisation"] > BUSY_UTILISATION].sort_values("staff_utilisation",
                                                                                       ascending=False)
    return {"threshold": BUSY_UTILISATION, "count": int(len(busy)), "of": int(len(departments)),
            "departments": [{"slug": r.slug, "department": r.department, "staff_utilisation": float(r.staff_utilisation)}
                            for r in busy.itertuples()]}


def _unit_table(scenario: Scenario, results: list[list[UnitResult]], departments: pd.DataFrame) -> pd.DataFrame:
    """One row per unit: KPI means over replications, 95 % intervals of the main KPIs, and the
    busiest department (the unit's mean utilisation can hide one working flat out)."""
    rows = []
    for position, plan in enumerate(scenario.units):
        per_rep = pd.DataFrame([unit_kpis(rep[position]) for rep in results])
        u = plan.unit
        own = departments[departments["slug"] == u.slug]
        busiest = own.loc[own["staff_utilisation"].idxmax()] if own["staff_utilisation"].notna().any() else None
        intervals = {}
        for name in UNIT_INTERVAL_KPIS:
            ci = kpi_interval(name, list(per_rep[name]))
            intervals[f"{name}_ci95_low"], intervals[f"{name}_ci95_high"] = ci["ci95_low"], ci["ci95_high"]
        rows.append({
            "slug": u.slug, "name": u.name, "kind": u.kind, "scope": scope_of(u.kind),
            "population": u.population if scope_of(u.kind) == "units" else None,  # a branch has no residents
            "population_imputed": u.population_imputed, "desks": plan.desks, "staff": sum(plan.staff),
            **per_rep.mean().to_dict(),
            **unit_counter_columns(scenario, results, position),
            "staff_utilisation_max": np.nan if busiest is None else float(busiest["staff_utilisation"]),
            "busiest_department": None if busiest is None else busiest["department"],
            **intervals,
        })
    frame = pd.DataFrame(rows)
    frame["population"] = frame["population"].astype("Int64")  # whole numbers, empty for a branch
    return frame


def _department_table(scenario: Scenario, results: list[list[UnitResult]]) -> pd.DataFrame:
    rows = []
    for position, plan in enumerate(scenario.units):
        organisation = plan.organisation
        for d, dept in enumerate(organisation.structure.department_names):
            per_rep = pd.DataFrame([department_kpis(rep[position].departments[d]) for rep in results])
            rows.append({"slug": plan.unit.slug, "kind": plan.unit.kind, "scope": scope_of(plan.unit.kind),
                         "structure": organisation.structure.name,
                         "department": dept, "staff": organisation.staff[d], "approvers": organisation.approvers[d],
                         **per_rep.mean().to_dict()})
    return pd.DataFrame(rows)


def _daily_table(scenario: Scenario, results: list[list[UnitResult]]) -> pd.DataFrame:
    city = np.mean([np.sum([r.daily for r in rep], axis=0) for rep in results], axis=0)
    frame = pd.DataFrame(city, columns=DAILY)
    frame.insert(0, "date", [(scenario.start + dt.timedelta(days=d)).isoformat() for d in range(scenario.days)])
    return frame
