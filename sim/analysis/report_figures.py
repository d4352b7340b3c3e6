"""Report figures: what a published figure (a city report's "received", "resolved share" ...) is
in terms of the report counts, and its value simulated for an observation, replication by replication.

``FIGURES`` is the one table of these definitions; the validation and the calibration read
observed figures through it, so both compare the model with the same quantity.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from sim.analysis.scopes import in_scope
from sim.analysis.unit_counts import REPORT_COUNTS, UnitResult
from sim.model.scenario import Scenario

INF = math.inf


def _ratio(num: float, den: float) -> float:
    return 100 * num / den if den > 0 else math.nan


@dataclass(frozen=True)
class Figure:
    name: str
    unit: str
    low: float  # the range the figure can take (keeps its 95 % interval inside what is possible)
    high: float
    compute: Callable[[dict[str, float]], float]  # from REPORT_COUNTS by name, pooled over a scope
    description: str


FIGURES = {f.name: f for f in (
    Figure("received", "records", 0, INF, lambda c: c["received"], "records received in the period (every channel)"),
    Figure("processed", "records", 0, INF, lambda c: c["processed"], "records received in the period and resolved by the date"),
    Figure("processed_on_time", "records", 0, INF, lambda c: c["processed_on_time"],
           "records resolved on or before their due date"),
    Figure("processed_late", "records", 0, INF, lambda c: c["processed"] - c["processed_on_time"],
           "records resolved after their due date"),
    Figure("on_time_pct", "%", 0, 100, lambda c: _ratio(c["processed_on_time"], c["processed"]),
           "records resolved on time, % of records resolved"),
    Figure("on_time_of_resolved_pct", "%", 0, 100, lambda c: _ratio(c["processed_on_time"], c["processed"]),
           "the same share under the October report's name: on time or early, % of resolved"),
    Figure("resolved_pct", "%", 0, 100, lambda c: _ratio(c["processed"], c["received"]),
           "records resolved, % of records received"),
    Figure("in_process", "records", 0, INF, lambda c: c["in_process"],
           "records received and neither resolved nor abandoned by the date"),
    Figure("in_process_pct", "%", 0, 100, lambda c: _ratio(c["in_process"], c["received"]),
           "records in process, % of records received"),
    Figure("in_process_overdue", "records", 0, INF, lambda c: c["in_process_overdue"],
           "records in process past their due date (a lower bound before the period's end: see report_counts)"),
    Figure("in_process_overdue_max", "records", 0, INF, lambda c: c["in_process_overdue_max"],
           "records in process past their due date without any extension for missing papers (an upper bound)"),
    Figure("overdue", "records", 0, INF,
           lambda c: c["processed"] - c["processed_on_time"] + c["in_process_overdue"],
           "records resolved late plus records in process past their due date"),
    Figure("abandoned", "records", 0, INF, lambda c: c["abandoned"], "citizens who gave up at the desk"),
    Figure("in_person_pct", "%", 0, 100, lambda c: _ratio(c["received_in_person"], c["received"]),
           "records filed at a desk, % of received"),
    Figure("online_pct", "%", 0, 100, lambda c: _ratio(c["received_online"], c["received"]),
           "records filed online, % of received"),
    Figure("post_pct", "%", 0, 100, lambda c: _ratio(c["received_post"], c["received"]),
           "records filed by post, % of received"),
)}
FIGURE_NAMES = tuple(FIGURES)


@dataclass(frozen=True)
class Observation:
    """A published figure of one scope, as it stood at the close of ``end``."""

    name: str
    figure: str  # a FIGURES name
    scope: str  # sim.analysis.scopes.SCOPES
    start: dt.date
    end: dt.date
    observed: float
    tolerance: float  # relative share of ``observed``, or in the figure's unit
    relative: bool
    source: str = ""

    @property
    def absolute_tolerance(self) -> float:
        return self.tolerance * abs(self.observed) if self.relative else self.tolerance

    def error(self, simulated: float) -> float:
        """Signed error in units of the tolerance (|error| <= 1: within tolerance)."""
        return (simulated - self.observed) / self.absolute_tolerance


def figure_value(name: str, counts: np.ndarray) -> float:
    """Figure ``name`` of report counts (a REPORT_COUNTS row, summed over the nodes concerned)."""
    return float(FIGURES[name].compute(dict(zip(REPORT_COUNTS, counts))))


def scope_counts(results: list[UnitResult], scenario: Scenario, scope: str, end: dt.date) -> np.ndarray | None:
    """Report counts at ``end`` summed over the nodes of ``scope`` in one replication; None if
    the run has no node of that scope."""
    row = scenario.report_dates.index(end)
    own = [r.report[row] for r in results if in_scope(scenario.units[r.position].unit.kind, scope)]
    return np.sum(own, axis=0) if own else None


def simulated(observation: Observation, results: list[list[UnitResult]], scenario: Scenario) -> list[float]:
    """The observation's figure in each replication (``results[replication][position]``); empty
    when the run has no node of its scope. Its period must start when the run starts and end on
    one of the run's report dates."""
    if observation.start != scenario.start:
        raise ValueError(f"{observation.name}: starts {observation.start}, the run {scenario.start}")
    if observation.end not in scenario.report_dates:
        raise ValueError(f"{observation.name}: {observation.end} is not a report date of the run")
    values = []
    for rep in results:
        counts = scope_counts(rep, scenario, observation.scope, observation.end)
        if counts is None:
            return []
        values.append(figure_value(observation.figure, counts))
    return values
