"""The number of citizens waiting in a unit's desk queue, as a step function of time, from the
engines' queue stays (``UnitOutcome.visit_enter`` and ``visit_exit``, one pair per stay).

A citizen counts from the instant they join the line until the instant they leave it (called to a
desk, sent home at closing, gone out of patience, or the horizon). Tie rule: at an instant where
some citizens leave the line and others join it, the leavers go first, and the level at that
instant is the one after every stay that starts or ends there: a desk calling one citizen as
another arrives is not two waiting at once, and a stay of zero length (served at once) never
counts. Both figures below are exact for this step function: the largest level within each day,
and the time-average level within each clock hour.
"""

from __future__ import annotations

import numpy as np

from sim.model.calendar import MINUTES_PER_DAY, WorkCalendar

HOURS_PER_DAY = 24
MINUTES_PER_HOUR = 60


def queue_levels(enter: np.ndarray, leave: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The step function: distinct instants at which the line changes, in order, and the number
    waiting from each instant until the next (after every stay that starts or ends there)."""
    times = np.concatenate([np.asarray(leave, dtype=float), np.asarray(enter, dtype=float)])
    steps = np.concatenate([-np.ones(len(leave), dtype=np.int64), np.ones(len(enter), dtype=np.int64)])
    order = np.lexsort((steps, times))  # at equal times, departures first (the level kept is after both)
    times, level = times[order], np.cumsum(steps[order])
    last_at_instant = np.r_[times[1:] != times[:-1], True] if len(times) else np.zeros(0, dtype=bool)
    return times[last_at_instant], level[last_at_instant]


def _level_before(times: np.ndarray, level: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Number waiting just before each instant ``t`` (the level of the last change before it)."""
    k = np.searchsorted(times, t, side="left") - 1
    return np.where(k >= 0, level[np.maximum(k, 0)], 0)


def daily_peaks(enter: np.ndarray, leave: np.ndarray, days: int) -> np.ndarray:
    """Largest number waiting at once on each day [d, d + 1) of the period, counting those still
    in line from the day before; the day's last instant belongs to the next day."""
    peaks = np.zeros(days)
    times, level = queue_levels(enter, leave)
    if days == 0 or len(times) == 0:
        return peaks
    inside = (times >= 0) & (times < days * MINUTES_PER_DAY)
    np.maximum.at(peaks, (times[inside] // MINUTES_PER_DAY).astype(np.int64), level[inside])
    carried = _level_before(times, level, np.arange(days) * float(MINUTES_PER_DAY))
    return np.maximum(peaks, carried)


def hourly_mean_queue(enter: np.ndarray, leave: np.ndarray, days: int) -> np.ndarray:
    """(days, 24): the time-average number waiting within each clock hour of each day (the
    citizen-minutes waited in that hour over 60)."""
    edges = np.arange(days * HOURS_PER_DAY + 1) * float(MINUTES_PER_HOUR)
    times, level = queue_levels(enter, leave)
    if len(times) == 0:
        return np.zeros((days, HOURS_PER_DAY))
    # citizen-minutes waited from the first change up to each change, then up to each hour's edge
    area_at = np.r_[0.0, np.cumsum(level[:-1] * np.diff(times))]
    k = np.searchsorted(times, edges, side="right") - 1
    before = k < 0
    k = np.maximum(k, 0)
    area = np.where(before, 0.0, area_at[k] + level[k] * (edges - times[k]))
    waited = np.clip(np.diff(area), 0, None)  # rounding can leave -1e-9 where nobody waits
    return (waited / MINUTES_PER_HOUR).reshape(days, HOURS_PER_DAY)


def open_days(calendar: WorkCalendar) -> np.ndarray:
    """Whether each day of the period has at least one desk session (Saturdays with sessions count)."""
    if calendar.spec.always_open:  # one endless session
        return np.ones(calendar.days, dtype=bool)
    starts = np.asarray(calendar.session_start, dtype=float)
    starts = starts[starts < calendar.horizon]
    is_open = np.zeros(calendar.days, dtype=bool)
    is_open[(starts // MINUTES_PER_DAY).astype(np.int64)] = True
    return is_open
