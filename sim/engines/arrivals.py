"""The day as it starts: when in-person citizens arrive, beyond the open-hours Poisson process.

Three mechanisms, each off by default (and then the arrivals are exactly those of
:func:`sim.engines.workload.draw_workload` without them, bit for bit):

* **time-of-day profiles per counter group** (``scenario.demand.group_hour_weights``): each
  procedure's arrivals follow the hour weights of its group (land early, civil status later),
  each group keeping its expected records a week. The arrival times are one Poisson process of
  the summed intensity, and the procedure of the k-th arrival is drawn from the k-th uniform of
  its stream by inverse transform of P(procedure | time of day) (common random numbers);
* **citizens at the door before opening** (``scenario.demand.before_opening``): a share of a
  day's walk-in arrivals come before the day's first session opens instead, uniformly over a
  window before it, and wait in line from their arrival (the desks call them at opening); their
  patience may start at the opening (``Workload.patience_extra``, their first visit only);
* **queue numbers booked in advance** (``desks.booking``): from the booking start date on, a
  share of in-person citizens book the slot their drawn time falls in and arrive at its start;
  booked citizens never come before opening.

Each draws from its own stream (:mod:`sim.engines.streams`), so no other record's numbers move.
The records' times change, so the in-person block is sorted again (:func:`sort_in_person`): a
record keeps every attribute drawn for it and only its place in the block moves.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from sim.model.calendar import MINUTES_PER_DAY, WorkCalendar


def procedures_by_time(expected: np.ndarray, starts: np.ndarray, times: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Each arrival's procedure by inverse transform of its uniform ``u`` over P(procedure | the
    piece of open time it falls in), ``expected[piece, procedure]`` being the records expected.

    A piece where nothing is expected (only reached through rounding at its edge) takes the mix
    of the whole period."""
    piece = np.clip(np.searchsorted(starts, times, side="right") - 1, 0, len(starts) - 1)
    rows = expected[piece]
    totals = rows.sum(axis=1)
    overall = expected.sum(axis=0)
    rows = np.where(totals[:, None] > 0, rows, overall[None, :])
    cdf = np.cumsum(rows, axis=1)
    cdf /= cdf[:, -1:]
    # as sim.engines.workload._inverse_cdf: the count of cdf values at or below u
    return np.minimum((cdf <= u[:, None]).sum(axis=1), expected.shape[1] - 1).astype(np.int64)


def first_opening_of_day(calendar: WorkCalendar) -> dict[int, float]:
    """Day index -> the start of its first session, for every day with a session before the horizon."""
    first: dict[int, float] = {}
    for start, _ in calendar.sessions_within(0.0, calendar.horizon):
        first.setdefault(int(start // MINUTES_PER_DAY), start)
    return first


def before_opening(times: np.ndarray, eligible: np.ndarray, u: np.ndarray, share: float, window: float,
                   calendar: WorkCalendar) -> tuple[np.ndarray, np.ndarray]:
    """The arrival times with the door arrivals moved, and the minutes each citizen comes before
    the opening (0 for the others): an eligible citizen whose first uniform is below ``share``
    comes instead in the ``window`` minutes before their day's first session opens, at the place
    their second uniform gives (strictly before the opening)."""
    door = eligible & (u[:, 0] < share)
    early = np.zeros(len(times))
    if not door.any():
        return times, early
    opening = first_opening_of_day(calendar)
    days = (times[door] // MINUTES_PER_DAY).astype(np.int64)
    opens = np.array([opening[d] for d in days.tolist()])
    moved = times.copy()
    early[door] = window * (1.0 - u[door, 1])
    moved[door] = opens - early[door]
    return moved, early


def booked_citizens(times: np.ndarray, u: np.ndarray, share: float, first_day: int) -> np.ndarray:
    """Who books: a citizen arriving on day ``first_day`` or later whose uniform is below ``share``."""
    return (times // MINUTES_PER_DAY >= first_day) & (u < share)


def slot_starts(times: np.ndarray, slot_minutes: float, calendar: WorkCalendar) -> np.ndarray:
    """The start of the booking slot each time falls in: slots of ``slot_minutes`` from each session's start."""
    session_start = np.asarray(calendar.session_start, dtype=float)
    s = session_start[np.maximum(np.searchsorted(session_start, times, side="right") - 1, 0)]
    return s + np.floor((times - s) / slot_minutes) * slot_minutes


def sort_in_person(workload, order: np.ndarray):
    """``workload`` with its in-person block (its first ``n_in_person`` records) in ``order``; every
    per-record array moves with it, and desk-only visits point to their record's new place."""
    n, changes = workload.n_in_person, {}
    for f in dataclasses.fields(workload):
        value = getattr(workload, f.name)
        if isinstance(value, np.ndarray) and len(value) == len(workload):
            moved = value.copy()
            moved[:n] = value[:n][order]
            changes[f.name] = moved
    visits = workload.visits
    if visits is not None and len(visits):
        new_place = np.arange(len(workload))
        new_place[order] = np.arange(n)  # old in-person index -> its index after sorting
        in_block = (visits.record >= 0) & (visits.record < n)
        record = np.where(in_block, new_place[np.clip(visits.record, 0, None)], visits.record)
        changes["visits"] = dataclasses.replace(visits, record=record)
    return dataclasses.replace(workload, **changes)
