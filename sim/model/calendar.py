"""Office calendar: opening sessions, working days, working-time arithmetic and statutory deadlines.

Time in the simulator is minutes since 00:00 on the first simulated day. Two notions of "working"
are kept apart on purpose:

* **sessions** are the hours when desks are open and staff work (weekdays, optionally Saturday
  morning). Working-time arithmetic (how long a piece of effort takes on the clock) uses them.
* **working days** are the days counted by statutory deadlines: Monday to Friday except public
  holidays and announced days off, plus announced make-up working days (a Saturday worked in
  exchange for a bridge day off). A Saturday-morning opening receives records and staff work in
  it, but its day does not count towards a deadline.

Waits measured in working days (missing papers, external verification) are counted on the same
working days as deadlines, so a wait and the due date it moves stay in step: a Saturday session
neither shortens a wait nor lengthens a deadline.
"""

from __future__ import annotations

import bisect
import math
import datetime as dt
from dataclasses import dataclass

import numpy as np

MINUTES_PER_DAY = 1440
TAIL_DAYS = 730  # days laid out past the simulated period, for deadlines and waits that end after it


@dataclass(frozen=True)
class CalendarSpec:
    """Validated calendar settings (see ``sim/conf/calendar/``)."""

    sessions: tuple[tuple[int, int], ...]  # weekday sessions, minutes after midnight
    saturday_sessions: tuple[tuple[int, int], ...]  # empty when Saturday is closed
    holidays: frozenset[dt.date]  # closed days: statutory holidays and announced days off
    same_day_cutoff: int  # minutes after midnight; same-day records received later are due next day
    always_open: bool = False  # one endless session, every day a working day (queueing checks)
    make_up_working_days: frozenset[dt.date] = frozenset()  # weekend days worked: weekday sessions, count for deadlines

    def is_working_day(self, date: dt.date) -> bool:
        """A day that counts for deadlines: a weekday or a make-up day, not a day off."""
        if self.always_open:
            return True
        return date not in self.holidays and (date.weekday() < 5 or date in self.make_up_working_days)

    def minutes_per_ordinary_day(self) -> float:
        """An officer's session minutes per calendar day in an ordinary week (five weekdays and a
        Saturday, no day off): what a staffing rule planned for the long run divides expected work
        by. It reads no date, so staff set by it do not depend on when a run's period ends."""
        if self.always_open:
            return float(MINUTES_PER_DAY)
        weekday = sum(e - s for s, e in self.sessions)
        saturday = sum(e - s for s, e in self.saturday_sessions)
        return (5 * weekday + saturday) / 7

    def sessions_on(self, date: dt.date) -> tuple[tuple[int, int], ...]:
        """The day's open sessions (minutes after midnight): weekday sessions on working days,
        Saturday's on an ordinary Saturday, none on Sundays and days off."""
        if self.always_open:
            return ((0, MINUTES_PER_DAY),)
        if self.is_working_day(date):
            return self.sessions
        if date.weekday() == 5 and date not in self.holidays:
            return self.saturday_sessions
        return ()


class WorkCalendar:
    """Sessions and working days laid out over ``days`` days from ``start``.

    The calendar extends past the simulated period (``tail_days``) so that deadlines and work that
    run beyond the horizon still have days to land on; a due date past the tail is clamped to its
    last day, which changes no outcome because every such date lies beyond the horizon.
    """

    def __init__(self, spec: CalendarSpec, start: dt.date, days: int, tail_days: int = TAIL_DAYS):
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
                is_working_day[d] = spec.is_working_day(date)
                base = d * MINUTES_PER_DAY
                for s, e in spec.sessions_on(date):
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

        # The same sessions restricted to working days: the clock of waits counted in working days.
        on_working_day = is_working_day[(np.asarray(starts) // MINUTES_PER_DAY).astype(np.int64)]
        self._wd_start = np.asarray(starts)[on_working_day]
        self._wd_end = np.asarray(ends)[on_working_day]
        wd_cum = np.concatenate([[0.0], np.cumsum(self._wd_end - self._wd_start)])
        self._wd_cum, self._wd_cum_at_end = wd_cum[:-1], wd_cum[1:]
        # the same as lists, for the scalar look-ups of the event loops (wait_end)
        self._wd_start_list, self._wd_end_list = self._wd_start.tolist(), self._wd_end.tolist()
        self._wd_cum_list, self._wd_cum_at_end_list = self._wd_cum.tolist(), self._wd_cum_at_end.tolist()

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

        # Open days (a day with a session), for open_day_at: the first opening at or after each
        # calendar day's midnight, the open day it falls on (its rank among open days), and each
        # open day's opening and session minutes.
        self._open_days: list[int] = []
        self._open_rank: list[int] = []  # per calendar day: rank of the open day next_work_start leads to; -1 past the calendar
        for d in range(total_days):
            opening = self.next_work_start(d * MINUTES_PER_DAY)
            if opening == float("inf"):
                self._open_rank.append(-1)
                continue
            day = int(opening // MINUTES_PER_DAY)
            if not self._open_days or self._open_days[-1] != day:
                self._open_days.append(day)
            self._open_rank.append(len(self._open_days) - 1)
        self._opening_of = [self.next_work_start(day * MINUTES_PER_DAY) for day in self._open_days]
        self._open_minutes_of = [self.minutes_worked_by((day + 1) * MINUTES_PER_DAY) - self.minutes_worked_by(day * MINUTES_PER_DAY)
                                 for day in self._open_days]
        # the same as arrays, for open_days_at
        self._np_open_rank = np.asarray(self._open_rank, dtype=np.int64)
        self._np_opening_of = np.asarray(self._opening_of, dtype=float)
        self._np_open_minutes_of = np.asarray(self._open_minutes_of, dtype=float)

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
        ``position`` (0 to 1) of that day's open minutes; inf past the calendar."""
        return self.open_day_at((t // MINUTES_PER_DAY + 1) * MINUTES_PER_DAY, 0, position)

    def open_day_at(self, t: float, later: int, position: float) -> float:
        """The open day ``later`` open days after the day of ``t`` (0: that day, or the next open day
        if it has no session), at ``position`` (0 to 1) of its open minutes; inf past the calendar."""
        if not t < len(self._open_rank) * MINUTES_PER_DAY:
            return float("inf")
        rank = self._open_rank[max(int(t // MINUTES_PER_DAY), 0)]
        if rank < 0 or rank + later >= len(self._open_days):
            return float("inf")
        k = rank + later
        return self.finish_after(self._opening_of[k], position * self._open_minutes_of[k])

    def open_days_at(self, t: np.ndarray, later: np.ndarray, position: np.ndarray) -> np.ndarray:
        """:meth:`open_day_at` for arrays (vectorised, the same arithmetic to the last bit)."""
        t, later, position = np.broadcast_arrays(np.asarray(t, dtype=float), np.asarray(later, dtype=np.int64),
                                                 np.asarray(position, dtype=float))
        out = np.full(t.shape, np.inf)
        ranks = self._np_open_rank
        inside = t < len(ranks) * MINUTES_PER_DAY
        rank = np.full(t.shape, -1, dtype=np.int64)
        rank[inside] = ranks[np.maximum(t[inside] // MINUTES_PER_DAY, 0).astype(np.int64)]
        k = rank + later
        ok = (rank >= 0) & (k < len(self._open_days))
        opening = self._np_opening_of[k[ok]]
        out[ok] = self.finish_after_each(opening, position[ok] * self._np_open_minutes_of[k[ok]])
        return out

    # --- working-time arithmetic ---------------------------------------------------------
    def minutes_worked_by(self, t: float) -> float:
        """Session minutes from time 0 to ``t``: :meth:`working_minutes` for one time, without numpy."""
        i = bisect.bisect_right(self.session_start, t) - 1
        if i < 0:
            return 0.0
        return self._cum_at_start[i] + min(t, self.session_end[i]) - self.session_start[i]

    def finish_after(self, t: float, work: float) -> float:
        """Clock time when ``work`` session minutes started at ``t`` are done: ``t`` itself for no
        work (a target that equals a session's cumulative end would otherwise read as that
        earlier session's end)."""
        if work <= 0:
            return t
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
        """:meth:`finish_after` for arrays of start times and work (vectorised, in the scalar's order
        of operations, so both give the same times to the last bit)."""
        t, work = np.broadcast_arrays(np.asarray(t, dtype=float), np.asarray(work, dtype=float))
        i = np.searchsorted(self._np_start, t, side="right") - 1
        safe_i = np.maximum(i, 0)
        done_before = np.where(i < 0, 0.0, self._np_cum[safe_i] + np.minimum(t, self._np_end[safe_i]) - self._np_start[safe_i])
        target = done_before + work
        j = np.searchsorted(self._np_cum_at_end, target, side="left")
        safe = np.minimum(j, len(self._np_start) - 1)
        done = np.where(j < len(self._np_start), self._np_start[safe] + (target - self._np_cum[safe]), np.inf)
        return np.where(work <= 0, t, done)

    def working_minutes(self, t: np.ndarray) -> np.ndarray:
        """Session minutes elapsed from time 0 to each time in ``t`` (vectorised)."""
        t = np.asarray(t, dtype=float)
        i = np.searchsorted(self._np_start, t, side="right") - 1
        safe = np.clip(i, 0, None)
        into = np.minimum(t, self._np_end[safe]) - self._np_start[safe]
        return np.where(i < 0, 0.0, self._np_cum[safe] + into)

    # --- waits counted in working days ----------------------------------------------------
    def wait_ends(self, t: np.ndarray, minutes: np.ndarray) -> np.ndarray:
        """When waits of ``minutes`` working-day minutes (working days x :attr:`minutes_per_working_day`)
        begun at ``t`` end (vectorised).

        Only sessions on working days count, the days :meth:`due_time` and :meth:`extend_due` count:
        a 20-working-day wait from Thursday 3 July 2025 ends on Thursday 31 July, the day a due date
        moved by 20 working days lands on, not earlier because of the Saturday mornings in between.
        """
        target = self.working_day_minutes(t) + np.asarray(minutes, dtype=float)
        j = np.searchsorted(self._wd_cum_at_end, target, side="left")
        last = len(self._wd_start) - 1
        safe_j = np.minimum(j, last)
        return np.where(j <= last, self._wd_start[safe_j] + (target - self._wd_cum[safe_j]), np.inf)

    def working_day_minutes(self, t: np.ndarray) -> np.ndarray:
        """Minutes of working-day sessions elapsed from time 0 to each time in ``t`` (vectorised):
        the clock of waits and lead times counted in working days (Saturday mornings left out)."""
        t = np.asarray(t, dtype=float)
        i = np.searchsorted(self._wd_start, t, side="right") - 1
        safe = np.clip(i, 0, None)
        return np.where(i < 0, 0.0, self._wd_cum[safe] + np.minimum(t, self._wd_end[safe]) - self._wd_start[safe])

    def working_days_between(self, t0: np.ndarray, t1: np.ndarray) -> np.ndarray:
        """Working days from each ``t0`` to each ``t1`` (fractional; on the working-day clock)."""
        return (self.working_day_minutes(t1) - self.working_day_minutes(t0)) / self.minutes_per_working_day

    def wait_end(self, t: float, minutes: float) -> float:
        """:meth:`wait_ends` for one wait, without numpy (the event loops' scalar look-up)."""
        i = bisect.bisect_right(self._wd_start_list, t) - 1
        done = 0.0 if i < 0 else self._wd_cum_list[i] + min(t, self._wd_end_list[i]) - self._wd_start_list[i]
        target = done + minutes
        j = bisect.bisect_left(self._wd_cum_at_end_list, target)
        if j >= len(self._wd_start_list):
            return float("inf")
        return self._wd_start_list[j] + (target - self._wd_cum_list[j])

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


def statutory_holidays(first_year: int, last_year: int) -> frozenset[dt.date]:
    """Vietnam's public holidays from ``first_year`` to ``last_year``, from the ``holidays`` package.

    It follows Labour Code 2019 art. 112: New Year, five days of lunar Tết (moved off weekends as
    the code requires), Hùng Kings' day, 30 April, 1 May, 2 September with an adjacent day, and
    24 November from 2026; the days a holiday on a weekend is compensated by; and the swapped bridge
    days of the years it lists. Announced days it does not know are added by the calendar config.
    Raises ImportError when the package is missing.
    """
    import holidays  # imported here: only calendars that use it need it

    return frozenset(holidays.country_holidays("VN", years=range(first_year, last_year + 1)))


def statutory_years() -> range:
    """The years :func:`statutory_holidays` knows (the package returns nothing outside them)."""
    import holidays

    vietnam = holidays.country_holidays("VN")
    return range(vietnam.start_year, vietnam.end_year + 1)


def parse_clock(text: str) -> int:
    """'HH:MM' → minutes after midnight; raises ValueError on anything else."""
    hours, minutes = text.split(":")
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 24 and 0 <= m < 60) or h * 60 + m > MINUTES_PER_DAY:
        raise ValueError(f"{text!r} is not a time of day HH:MM")
    return h * 60 + m
