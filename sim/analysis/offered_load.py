"""Expected offered load per unit and department, computed without simulating: the expected staff
minutes a day (records a day x the kind's procedure mix x mean effort, with the department's
breadth penalty) over the staff minutes the department has (officers x session minutes a day of
the period). Above 1 the department cannot keep up and its backlog grows without end.

Records that leave the desk queue without being received count here too, so the figure is a
slight upper bound of what a run shows as staff utilisation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model import staffing
from sim.model.scenario import Scenario, UnitPlan

OVERLOADED = 1.0  # an offered load above this: the department falls behind for good


@dataclass(frozen=True)
class DepartmentLoad:
    slug: str
    kind: str
    department: str
    staff: int  # processing officers
    work_minutes_per_day: float  # expected staff minutes a calendar day
    capacity_minutes_per_day: float  # officers x session minutes a calendar day

    @property
    def load(self) -> float:
        return self.work_minutes_per_day / self.capacity_minutes_per_day if self.capacity_minutes_per_day else float("inf")

    @property
    def overloaded(self) -> bool:
        return self.load > OVERLOADED


def session_minutes_per_day(scenario: Scenario) -> float:
    """Session minutes (staff working time) over the simulated period, per calendar day."""
    return staffing.session_minutes_per_day(scenario.calendar, scenario.start, scenario.end)


def unit_loads(scenario: Scenario, plan: UnitPlan, minutes_per_day: float) -> list[DepartmentLoad]:
    """The expected offered load of each department of one unit."""
    organisation = plan.organisation
    share = scenario.mixes[plan.unit.kind].procedure_share
    effort = np.array([p.effort_minutes.mean for p in scenario.procedures])
    per_department = np.bincount(organisation.procedure_department, weights=share * effort,
                                 minlength=len(organisation.staff))
    return [
        DepartmentLoad(plan.unit.slug, plan.unit.kind, department.name, staff,
                       plan.records_per_day * float(per_department[d]) * plan.effort_factor[d]
                       / (1.0 - organisation.rework_share[d]),  # every pass of rework (1 / (1 - share) on average)
                       staff * minutes_per_day)
        for d, (department, staff) in enumerate(zip(organisation.structure.departments, organisation.staff))
    ]


def expected_loads(scenario: Scenario) -> list[DepartmentLoad]:
    """The expected offered load of every department of every unit of the scenario."""
    minutes = session_minutes_per_day(scenario)
    return [load for plan in scenario.units for load in unit_loads(scenario, plan, minutes)]
