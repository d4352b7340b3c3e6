"""What one unit's desks record per citizen beyond the waits: the counter group of each served
citizen, and the citizens asked to come back another day (numpy only: computed in the workers)."""

from __future__ import annotations

import numpy as np

from sim.engines.outcome import UnitOutcome
from sim.engines.workload import Workload

FRONT_DESK_COUNTS = ("asked_to_return", "return_visits")


def wait_groups(workload: Workload, outcome: UnitOutcome) -> np.ndarray:
    """The counter group of each served citizen, in the order of ``UnitResult.waits``: records
    served, then desk-only visits served."""
    groups = workload.desk_group[~np.isnan(outcome.desk_start)]
    if workload.visits is not None and len(workload.visits):
        groups = np.concatenate([groups, workload.visits.desk_group[~np.isnan(outcome.extra_desk_start)]])
    return groups.astype(np.int8)


def served_groups(workload: Workload, outcome: UnitOutcome) -> np.ndarray:
    """The counter group whose desk served each served citizen, in the order of ``UnitResult.waits``
    (a general counter, or any counter under ``take=when_idle``, serves other groups' citizens)."""
    groups = outcome.desk_served_by[~np.isnan(outcome.desk_start)]
    if workload.visits is not None and len(workload.visits):
        groups = np.concatenate([groups, outcome.extra_desk_served_by[~np.isnan(outcome.extra_desk_start)]])
    return groups.astype(np.int8)


def front_desk_counts(outcome: UnitOutcome) -> np.ndarray:
    """FRONT_DESK_COUNTS of one unit: times citizens were asked to come back (the day's land intake
    was full), and the visits they made coming back so before the horizon."""
    if outcome.asked_to_return is None:
        return np.zeros(len(FRONT_DESK_COUNTS))
    return np.array([outcome.asked_to_return.sum(), outcome.return_visits.sum()], dtype=float)
