"""What the engines return: where each record is at the horizon and when things happened to it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Where a record is; the stage at the horizon classifies it.
DESK_QUEUE, AT_DESK, AWAY, BACK_OFFICE, DONE, ABANDONED = 1, 2, 3, 4, 5, 6
IN_PROCESS_STAGES = (DESK_QUEUE, AT_DESK, AWAY, BACK_OFFICE)


@dataclass
class UnitOutcome:
    """What happened to each record by the horizon, plus resource busy time."""

    stage: np.ndarray
    receipt: np.ndarray  # formally received (desk service end, or arrival for remote records)
    due: np.ndarray  # appointment time (close of business on the due day)
    done: np.ndarray  # result signed; nan if not by the horizon
    desk_start: np.ndarray
    desk_end: np.ndarray
    desk_wait: np.ndarray  # minutes waited in the desk queue, all visits together
    abandoned_at: np.ndarray  # when a citizen left for good; nan otherwise
    visit_enter: np.ndarray  # one entry per stay in the desk queue
    visit_exit: np.ndarray
    staff_busy: np.ndarray  # session minutes worked per staff pool, up to the horizon
    approver_busy: np.ndarray  # per department
    staff_overtime: np.ndarray  # officer-minutes of extra sessions per staff pool, up to the horizon
    # minutes of desk_wait's stays in line while the desks did not serve (before opening, over the
    # lunch break); desk_wait leaves them out unless DeskPolicy.wait_counts_closed
    desk_wait_closed: np.ndarray | None = None
    # the counter group whose desk served each record (-1: not served): its own group's, or, where
    # a free counter takes from another group's line, that counter's
    desk_served_by: np.ndarray | None = None
    reviewed: np.ndarray | None = None  # when the officers' review ended; nan if not by the horizon
    # per record: times asked at the desk to come back another day (the daily land intake was
    # full), and times they came back so (before the horizon); zeros without an intake cap
    asked_to_return: np.ndarray | None = None
    return_visits: np.ndarray | None = None
    # Desk-only visits (sim.engines.visits), in the order of ``Workload.visits``: kind, when first
    # made (nan: not made before the horizon), service start and end, minutes waited (all stays),
    # and when the citizen left for good; empty without visits
    extra_kind: np.ndarray | None = None
    extra_arrival: np.ndarray | None = None
    extra_desk_start: np.ndarray | None = None
    extra_desk_end: np.ndarray | None = None
    extra_desk_wait: np.ndarray | None = None
    extra_desk_wait_closed: np.ndarray | None = None
    extra_desk_served_by: np.ndarray | None = None
    extra_abandoned_at: np.ndarray | None = None
