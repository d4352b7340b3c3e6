"""Office calendar: opening sessions, working days, working-time arithmetic and statutory deadlines.

Time in the simulator is minutes since 00:00 on the first simulated day. Two notions of "working"
are kept apart on purpose:

* **sessions** are the hours when desks are open and staff work (weekdays, optionally Saturday
  morning). Working-time arithmetic (how long a piece of effort takes on the clock) uses them.
* **working days** are the days counted by statutory deadlines: Monday to Friday except public
  holidays. A Saturday opening receives records but its day does not count towards a deadline.
"""

from __future__ import annotations

import bisect
import math
import datetime as dt
from dataclasses import dataclass

import numpy as np

MINUTES_PER_DAY = 1440


@dataclass(frozen=True)
class CalendarSpec:
    """Validated calendar settings (see ``sim/conf/calendar/``)."""

    sessions: tuple[tuple[int, int], ...]  # weekday sessions, minutes after midnight
    saturday_sessions: tuple[tuple[int, int], ...]  # empty when Saturday is closed
    holidays: frozenset[dt.date]
    same_day_cutoff: int  # minutes after midnight; same-day records received later are due next day
    always_open: bool = False  # one endless session, every day a working day (queueing checks)


class WorkCalendar:
    """Sessions and working days laid out over ``days`` days from ``start``.

    The calendar extends past the simulated period (``tail_days``) so that deadlines and work that
    run beyond the horizon still have days to land on; a due date past the tail is clamped to its
    last day, which changes no outcome because every such date lies beyond the horizon.
    """

    def __init__(self, spec: CalendarSpec, start: dt.date, days: int, tail_days: int = 730):
        self.spec = spec
        self.start = start
        self.days = days
        self.horizon = days * MINUTES_PER_DAY
        total_days = days + tail_days
        self.total_days = total_days

        starts: list[float] = []
        ends: list[float] = []
        is_working_day = np.zeros(total_days, dtype=bool)
        if spec.always_open:
            starts, ends = [0.0], [float(total_days * MINUTES_PER_DAY)]
            is_working_day[:] = True
            self.business_close = MINUTES_PER_DAY
        else:
            self.business_close = max(end for _, end in spec.sessions)
            for d in range(total_days):
                date = start + dt.timedelta(days=d)
                if date in spec.holidays:
                    continue
                weekday = date.weekday()
                if weekday < 5:
                    day_sessions = spec.sessions
                    is_working_day[d] = True
                elif weekday == 5:
                    day_sessions = spec.saturday_sessions
                else:
                    day_sessions = ()
                base = d * MINUTES_PER_DAY
                for s, e in day_sessions:
                    starts.append(float(base + s))
                    ends.append(float(base + e))

        self.session_start = starts
        self.session_end = ends
        lengths = np.subtract(ends, starts)
        self.minutes_per_working_day = float(
            MINUTES_PER_DAY if spec.always_open else sum(e - s for s, e in spec.sessions)
        )
        cum = np.concatenate([[0.0], np.cumsum(lengths)])
        self._cum_at_start = cum[:-1].tolist()
        self._cum_at_end = cum[1:].tolist()
        self._np_start = np.asarray(starts)
        self._np_end = np.asarray(ends)
        self._np_cum = cum[:-1]
        self._np_cum_at_end = cum[1:]

        # Deadline tables: ordinal of each working day, the next working day after each day, and
        # the close-of-business time of the k-th working day.
        self.is_working_day = is_working_day
        working_days = np.flatnonzero(is_working_day)
        ordinal = np.full(total_days, -1, dtype=np.int64)
        ordinal[working_days] = np.arange(len(working_days))
        next_ordinal = np.searchsorted(working_days, np.arange(total_days), side="right")
        self._ordinal = ordinal.tolist()
        self._next_ordinal = next_ordinal.tolist()
        self._close_of_working_day = (working_days * MINUTES_PER_DAY + self.business_close).astype(float).tolist()
        self._np_ordinal, self._np_next_ordinal = ordinal, next_ordinal
        self._np_close_of_working_day = np.asarray(self._close_of_working_day)

    # --- dates ---------------------------------------------------------------------------
    def date_of(self, t: float) -> dt.date:
        return self.start + dt.timedelta(days=int(t // MINUTES_PER_DAY))

    # --- sessions ------------------------------------------------------------------------
    def sessions_within(self, t0: float, t1: float) -> list[tuple[float, float]]:
        """Sessions (start, end) that begin in [t0, t1)."""
        i = bisect.bisect_left(self.session_start, t0)
        j = bisect.bisect_left(self.session_start, t1)
        return list(zip(self.session_start[i:j], self.session_end[i:j]))

    def next_work_start(self, t: float) -> float:
        """``t`` itself if inside a session, else the start of the next session."""
        i = bisect.bisect_right(self.session_start, t) - 1
        if i >= 0 and t < self.session_end[i]:
            return t
        if i + 1 < len(self.session_start):
            return self.session_start[i + 1]
        return float("inf")

    def open_minutes(self, t0: float, t1: float) -> float:
        """Session minutes between t0 and t1."""
        return float(self.working_minutes(np.array([t1]))[0] - self.working_minutes(np.array([t0]))[0])

    def return_time(self, t: float, position: float) -> float:
        """When someone who left at ``t`` comes back: the next open day after ``t``'s day, at
        ``position`` (0 to 1) of that day's open minutes."""
        opening = self.next_work_start((t // MINUTES_PER_DAY + 1) * MINUTES_PER_DAY)
        day = opening // MINUTES_PER_DAY * MINUTES_PER_DAY
        return self.finish_after(opening, position * self.open_minutes(day, day + MINUTES_PER_DAY))

    # --- working-time arithmetic ---------------------------------------------------------
    def finish_after(self, t: float, work: float) -> float:
        """Clock time when ``work`` session minutes started at ``t`` are done."""
        i = bisect.bisect_right(self.session_start, t) - 1
        if i < 0:
            done_before = 0.0
        else:
            done_before = self._cum_at_start[i] + min(t, self.session_end[i]) - self.session_start[i]
        target = done_before + work
        j = bisect.bisect_left(self._cum_at_end, target)
        if j >= len(self._cum_at_end):
            return float("inf")
        return self.session_start[j] + (target - self._cum_at_start[j])

    def finish_after_each(self, t: np.ndarray, work: np.ndarray) -> np.ndarray:
        """:meth:`finish_after` for arrays of start times and work (vectorised)."""
        target = self.working_minutes(t) + work
        j = np.searchsorted(self._np_cum_at_end, target, side="left")
        safe = np.minimum(j, len(self._np_start) - 1)
        return np.where(j < len(self._np_start), self._np_start[safe] + (target - self._np_cum[safe]), np.inf)

    def working_minutes(self, t: np.ndarray) -> np.ndarray:
        """Session minutes elapsed from time 0 to each time in ``t`` (vectorised)."""
        t = np.asarray(t, dtype=float)
        i = np.searchsorted(self._np_start, t, side="right") - 1
        safe = np.clip(i, 0, None)
        into = np.minimum(t, self._np_end[safe]) - self._np_start[safe]
        return np.where(i < 0, 0.0, self._np_cum[safe] + into)

    # --- statutory deadlines -------------------------------------------------------------
    def due_time(self, received: float, deadline_wd: int) -> float:
        """Close of business on the day a record received at ``received`` falls due.

        A record received on a working day before close of business counts from that day; one
        received later, or on a Saturday, Sunday or holiday, counts from the next working day.
        ``deadline_wd`` working days are added to that day. A same-day procedure
        (``deadline_wd == 0``) received after the cut-off (15:00) is due the next working day.
        """
        day = int(received // MINUTES_PER_DAY)
        time_of_day = received - day * MINUTES_PER_DAY
        if self._ordinal[day] >= 0 and time_of_day < self.business_close:
            first = self._ordinal[day]
            late = time_of_day > self.spec.same_day_cutoff
        else:
            first = self._next_ordinal[day]
            late = False
        k = first + deadline_wd + (1 if deadline_wd == 0 and late else 0)
        return self._close_of_working_day[min(k, len(self._close_of_working_day) - 1)]


    def due_times(self, received: np.ndarray, deadline_wd: np.ndarray) -> np.ndarray:
        """:meth:`due_time` for arrays of receipt times and deadlines (vectorised)."""
        day = (received // MINUTES_PER_DAY).astype(np.int64)
        time_of_day = received - day * MINUTES_PER_DAY
        ordinal = self._np_ordinal[day]
        counts_today = (ordinal >= 0) & (time_of_day < self.business_close)
        first = np.where(counts_today, ordinal, self._np_next_ordinal[day])
        late = counts_today & (time_of_day > self.spec.same_day_cutoff) & (deadline_wd == 0)
        close = self._np_close_of_working_day
        return close[np.minimum(first + deadline_wd + late, len(close) - 1)]

    def extend_dues(self, due: np.ndarray, working_days: np.ndarray) -> np.ndarray:
        """:meth:`extend_due` for arrays (vectorised); non-positive extensions leave ``due``."""
        ordinal = self._np_ordinal[(due // MINUTES_PER_DAY).astype(np.int64)]
        close = self._np_close_of_working_day
        k = np.minimum(ordinal + np.ceil(np.maximum(working_days, 0)).astype(np.int64), len(close) - 1)
        return np.where(working_days > 0, close[k], due)

    def extend_due(self, due: float, working_days: float) -> float:
        """A due time moved later by ``working_days`` (rounded up to whole working days)."""
        if working_days <= 0:
            return due
        k = self._ordinal[int(due // MINUTES_PER_DAY)] + math.ceil(working_days)
        return self._close_of_working_day[min(k, len(self._close_of_working_day) - 1)]


def parse_clock(text: str) -> int:
    """'HH:MM' → minutes after midnight; raises ValueError on anything else."""
    hours, minutes = text.split(":")
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 24 and 0 <= m < 60) or h * 60 + m > MINUTES_PER_DAY:
        raise ValueError(f"{text!r} is not a time of day HH:MM")
    return h * 60 + m
