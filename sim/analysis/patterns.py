"""Pattern targets: what the staff-side evidence says of the officers' load, as ranges of a
statistic over a group of units (the busiest wards, the smallest communes, one Centre branch).

The city's totals (received, processed, on time, in process) fit any officer load below capacity;
the load shows in other evidence (domain.md, "Staff load, front-desk staffing and structure
classes"): officials who work until 8-9 pm, a Centre branch above its processing capacity, records
per civil servant in another city. Each pattern names a statistic of :data:`STATISTICS`, the units
it is measured over and the range the evidence gives; :meth:`Pattern.error` is its distance outside
that range in tolerances, so the ensemble calibration treats patterns and observations alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from sim.analysis.unit_counts import COUNTS, DEPARTMENT_COUNTS, UnitResult
from sim.model.calendar import WorkCalendar
from sim.model.scenario import Scenario, UnitPlan
from sim.registry import Registry

_COUNT = {name: k for k, name in enumerate(COUNTS)}
_DEPT = {name: k for k, name in enumerate(DEPARTMENT_COUNTS)}


@dataclass(frozen=True)
class Statistic:
    unit: str
    description: str
    # (the selected nodes' results in one replication, their plans, the run's working days) -> value
    compute: Callable[[list[UnitResult], list[UnitPlan], int], float]


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else math.nan


def _counted(results: list[UnitResult], name: str) -> float:
    return float(sum(r.counts[_COUNT[name]] for r in results))


STATISTICS: Registry[Statistic] = Registry("pattern statistic")
for _name, _statistic in {
    "overtime_hours_per_officer_week": Statistic(
        "hours", "overtime hours per processing officer and week, pooled over the units",
        lambda rs, ps, wd: _ratio(_counted(rs, "overtime_hours"), _counted(rs, "officer_weeks"))),
    "staff_utilisation": Statistic(
        "share of working time", "processing officers' working time over their time at work, pooled",
        lambda rs, ps, wd: _ratio(_counted(rs, "staff_busy"), _counted(rs, "staff_capacity"))),
    "offered_load": Statistic(
        "share of session time", "work that reached the departments over their officers' working time, pooled",
        lambda rs, ps, wd: _ratio(float(sum(r.departments[:, _DEPT["effort_arrived"]].sum() for r in rs)),
                                  float(sum(r.departments[:, _DEPT["staff_capacity"]].sum() for r in rs)))),
    "records_per_officer_per_working_day": Statistic(
        "records", "records finished per processing officer and working day of the run",
        lambda rs, ps, wd: _ratio(_counted(rs, "processed"), float(sum(sum(p.staff) for p in ps)) * wd)),
    "counters_per_unit": Statistic(
        "counters", "reception counters per unit (each staffed through the sessions)",
        lambda rs, ps, wd: float(np.mean([p.desks for p in ps])) if ps else math.nan),
}.items():
    STATISTICS.register(_name)(_statistic)


@dataclass(frozen=True)
class Pattern:
    """One pattern target: ``statistic`` over the selected units lies in [low, high]."""

    name: str
    statistic: str
    kinds: tuple[str, ...]
    slugs: tuple[str, ...]
    largest: int
    smallest: int
    low: float
    high: float
    tolerance: float
    source: str = ""

    def error(self, value: float) -> float:
        """Distance outside [low, high] in tolerances, signed (0 inside: within the evidence)."""
        if value > self.high:
            return (value - self.high) / self.tolerance
        if value < self.low:
            return (value - self.low) / self.tolerance
        return 0.0

    def positions(self, scenario: Scenario) -> list[int]:
        """The run's nodes the pattern is measured over."""
        if self.slugs:
            return [k for k, plan in enumerate(scenario.units) if plan.unit.slug in self.slugs]
        chosen = [k for k, plan in enumerate(scenario.units) if plan.unit.kind in self.kinds]
        chosen.sort(key=lambda k: (-scenario.units[k].records_per_day, k))
        if self.largest:
            return chosen[:self.largest]
        if self.smallest:
            return chosen[-self.smallest:]
        return chosen

    def describe_units(self) -> str:
        if self.slugs:
            return ", ".join(self.slugs)
        kinds = " and ".join(f"{k}s" for k in self.kinds)
        if self.largest:
            return f"the {self.largest} largest {kinds}"
        if self.smallest:
            return f"the {self.smallest} smallest {kinds}"
        return f"every {' and '.join(self.kinds)}"


def working_days(scenario: Scenario, calendar: WorkCalendar) -> int:
    """Working days (deadlines count) in the run's period."""
    return int(np.asarray(calendar.is_working_day[:scenario.days]).sum())


def simulated_pattern(pattern: Pattern, results: list[list[UnitResult]], scenario: Scenario,
                      calendar: WorkCalendar) -> list[float]:
    """The pattern's statistic in each replication (``results[replication][position]``); empty
    when the run has none of its units."""
    positions = pattern.positions(scenario)
    if not positions:
        return []
    plans = [scenario.units[k] for k in positions]
    days = working_days(scenario, calendar)
    compute = STATISTICS.get(pattern.statistic).compute
    return [float(compute([rep[k] for k in positions], plans, days)) for rep in results]
