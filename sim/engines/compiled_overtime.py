"""The staff stage with overtime (:func:`sim.engines.fast.serve_with_overtime_python`) compiled with
numba, with the day-by-day overtime decisions of :class:`sim.engines.rules.OvertimeDays`: the same
decisions in the same order and the same float arithmetic, so the same start and finish times,
minutes worked and overtime to the last bit.

:func:`serve` returns None where the Python loop must run: the compiled staff stage is off
(numba missing or ``SIM_NO_COMPILE`` set, as for :mod:`sim.engines.compiled`), the trigger is not
one of the two built in ("records", "work") or was replaced, or the inputs are outside what the
kernel takes (priorities not exact as floats, nan times or work, arrivals at or after the horizon,
policy numbers not exact as floats).
Otherwise it leaves the :class:`~sim.engines.rules.OvertimeDays` it is given as the Python loop
would: ``work_end``, ``decided``, ``next_instant``, ``used_by_week`` and ``officer_minutes``.
"""

from __future__ import annotations

import heapq
import math

import numpy as np

from sim.engines import compiled, rules
from sim.model.calendar import MINUTES_PER_DAY

_kernel = None  # the compiled kernel, made on first use


def _make_kernel():
    """Compile (or load from the cache) the kernel and its helpers; False where compiling is off."""
    global _kernel, _finish_after, _next_work_start, _minutes_worked_by, _decide_up_to, _work_today
    if not compiled._make_kernel():  # one switch for both staff stages (and compiled's helpers made)
        return False
    if _kernel is None:
        from numba import njit
        jit = njit(cache=True, nogil=True)
        _finish_after, _next_work_start = compiled._finish_after, compiled._next_work_start
        _minutes_worked_by = jit(_minutes_worked_by)
        _decide_up_to = jit(_decide_up_to)
        _work_today = jit(_work_today)
        _kernel = jit(_serve)
    return _kernel


_finish_after = _next_work_start = None  # compiled's helpers, bound in _make_kernel


def _minutes_worked_by(t, session_start, session_end, cum_at_start):
    """:meth:`WorkCalendar.minutes_worked_by`."""
    i = np.searchsorted(session_start, t, side="right") - 1
    if i < 0:
        return 0.0
    return cum_at_start[i] + min(t, session_end[i]) - session_start[i]


def _decide_up_to(t, arrivals, started, joined_work, started_work, servers, plan, policy, days, decided, officer):
    """:meth:`OvertimeDays.decide_up_to` with :func:`rules.overtime_minutes` and the built-in triggers.
    ``plan``: (instants, decision_days, weeks, day_minutes); ``policy``: (by_work, threshold_records,
    threshold_days, minutes_per_day, max_minutes_per_week); ``days``: (work_end, used_by_week,
    week_used), changed in place. Returns (decided, officer_minutes, next_instant)."""
    instants, decision_days, weeks, day_minutes = plan
    by_work, threshold_records, threshold_days, minutes_per_day, max_per_week = policy
    work_end, used_by_week, week_used = days
    while decided < len(instants) and instants[decided] <= t:
        k = decided
        decided += 1
        week = weeks[k]
        used = used_by_week[week] if week_used[week] else 0.0
        joined = np.searchsorted(arrivals, instants[k], side="left")
        work = joined_work[joined] - started_work if by_work else 0.0
        if by_work:  # work_exceeds_the_day
            called = work > threshold_days * day_minutes[k] * servers
        else:  # records_waiting
            called = (joined - started) > threshold_records * servers
        extra = 0.0
        if called:
            if max_per_week > 0:
                extra = max(0.0, min(minutes_per_day, max_per_week - used))
            else:
                extra = minutes_per_day
        if extra > 0:
            work_end[decision_days[k]] += extra
            used_by_week[week] = used + extra
            week_used[week] = True
            officer += extra * servers
    next_instant = instants[decided] if decided < len(instants) else np.inf
    return decided, officer, next_instant


def _work_today(t, work, last_end, worked_by_last_end, work_end, session_start, session_end, cum_at_start,
                cum_at_end):
    """:meth:`OvertimeDays.work_today`."""
    d = int(t // MINUTES_PER_DAY)
    day_last_end, day_work_end = last_end[d], work_end[d]
    if t < day_last_end:
        regular = worked_by_last_end[d] - _minutes_worked_by(t, session_start, session_end, cum_at_start)
        if work <= regular:
            return _finish_after(t, work, session_start, cum_at_start, session_end, cum_at_end), work
        extra = work - regular
        room = day_work_end - day_last_end
        if extra <= room:
            return day_last_end + extra, work
        return np.nan, regular + room
    room = day_work_end - t
    if work <= room:
        return t + work, work
    return np.nan, room


def _serve(arrivals, items, priorities, works, joined_work, servers, pool_servers, horizon, session_start,
           session_end, cum_at_start, cum_at_end, last_end, worked_by_last_end, plan, policy, days, decided,
           officer, started, finished):
    """The loop of :func:`sim.engines.fast.serve_with_overtime_python`, line for line (see there):
    fills ``started`` and ``finished`` and ``days``; returns (busy, decided, officer_minutes).

    Why one function: a compiled kernel mirrors its Python reference line for line, so that
    tests/test_compiled.py can hold them to the same bits; splitting one would mean splitting both."""
    work_end = days[0]
    n, n_days = len(arrivals), len(work_end)
    instants = plan[0]
    next_instant = instants[decided] if decided < len(instants) else np.inf
    free = [(0.0, k) for k in range(servers)]
    in_hand = np.full(servers, -1, dtype=np.int64)
    left = np.zeros(servers)
    waiting = [(0.0, 0, 0)]
    waiting.pop()
    ranked = n_started = 0
    busy = 0.0
    now = 0.0
    started_work = 0.0
    while len(free) > 0:
        t, k = heapq.heappop(free)
        if t >= horizon:
            break
        i = in_hand[k]
        if i >= 0:
            if t >= next_instant:
                decided, officer, next_instant = _decide_up_to(t, arrivals, n_started, joined_work, started_work,
                                                               pool_servers, plan, policy, days, decided, officer)
            s = np.searchsorted(session_start, t, side="right") - 1
        else:
            if not waiting:
                if ranked == n:
                    continue
                if arrivals[ranked] > t:
                    t = arrivals[ranked]
            if now > t:
                t = now
            if t >= next_instant:
                decided, officer, next_instant = _decide_up_to(t, arrivals, n_started, joined_work, started_work,
                                                               pool_servers, plan, policy, days, decided, officer)
            s = np.searchsorted(session_start, t, side="right") - 1
            if s < 0 or t >= session_end[s]:
                d = int(t // MINUTES_PER_DAY)
                if not (d < n_days and last_end[d] <= t < work_end[d]):
                    s += 1
                    t = session_start[s]
                    if t >= horizon:
                        continue
                    if t >= next_instant:
                        decided, officer, next_instant = _decide_up_to(t, arrivals, n_started, joined_work,
                                                                       started_work, pool_servers, plan, policy,
                                                                       days, decided, officer)
            now = t
            if waiting or (ranked + 1 < n and arrivals[ranked + 1] <= t):
                while ranked < n and arrivals[ranked] <= t:
                    j = items[ranked]
                    heapq.heappush(waiting, (priorities[j], ranked, j))
                    ranked += 1
                i = heapq.heappop(waiting)[2]
            else:
                i = items[ranked]
                ranked += 1
            n_started += 1
            started_work += works[i]
            started[i], in_hand[k], left[k] = t, i, works[i]
        w = left[k]
        if s >= 0 and t + w <= session_end[s]:
            done = t + w
            busy += w
        else:
            done, worked = _work_today(t, w, last_end, worked_by_last_end, work_end, session_start, session_end,
                                       cum_at_start, cum_at_end)
            busy += worked
            if math.isnan(done):
                left[k] = w - worked
                heapq.heappush(free, (_next_work_start(work_end[int(t // MINUTES_PER_DAY)], session_start,
                                                       session_end), k))
                continue
        finished[i], in_hand[k] = done, -1
        heapq.heappush(free, (done, k))
    decided, officer, next_instant = _decide_up_to(horizon, arrivals, n_started, joined_work, started_work,
                                                   pool_servers, plan, policy, days, decided, officer)
    return busy, decided, officer


def _exact_float(x) -> float | None:
    """``x`` as a float if that is exact and finite, else None."""
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) and f == x else None


def serve(arrival: np.ndarray, priority: np.ndarray, work: np.ndarray, servers: int,
          overtime: rules.OvertimeDays) -> tuple[np.ndarray, np.ndarray, float] | None:
    """:func:`sim.engines.fast.serve_with_overtime_python` compiled, ``overtime`` left as it leaves it;
    None where the Python loop must run (see the module's docstring)."""
    plan, policy = overtime.plan, overtime.plan.policy
    trigger = rules.OVERTIME_TRIGGERS.get(policy.trigger)
    if trigger is not {"records": rules.records_waiting, "work": rules.work_exceeds_the_day}.get(policy.trigger):
        return None  # a user's trigger: only the Python loop can call it
    numbers = [_exact_float(getattr(policy, name)) for name in (
        "threshold_records_per_officer", "threshold_days", "minutes_per_day", "max_minutes_per_week")]
    if None in numbers or plan.counts_work != (policy.trigger == "work"):
        return None
    priorities = compiled.exact_priorities(priority)
    arrival, work = np.asarray(arrival, dtype=np.float64), np.asarray(work, dtype=np.float64)
    if priorities is None or np.isnan(arrival).any() or np.isnan(work).any():
        return None
    if len(arrival) and arrival.max() >= overtime.calendar.horizon:
        return None  # the Python loop may start such an item past the horizon, on a day it has no plan for
    kernel = _make_kernel()
    if not kernel:
        return None
    n = len(arrival)
    start, finish = np.full(n, np.nan), np.full(n, np.nan)
    if n == 0 or servers == 0:
        return start, finish, 0.0
    calendar = overtime.calendar
    order = np.argsort(arrival, kind="stable")
    arrivals = np.ascontiguousarray(arrival[order])
    joined_work = np.concatenate([[0.0], np.cumsum(work[order])]) if plan.counts_work else np.zeros(1)
    weeks = np.asarray(plan.week, dtype=np.int64)
    n_weeks = max(int(weeks.max()) + 1 if len(weeks) else 0, max(overtime.used_by_week, default=-1) + 1)
    used_by_week, week_used = np.zeros(n_weeks), np.zeros(n_weeks, dtype=np.bool_)
    for week, used in overtime.used_by_week.items():
        used_by_week[week], week_used[week] = used, True
    work_end = np.asarray(overtime.work_end, dtype=np.float64)
    days = (work_end, used_by_week, week_used)
    plan_arrays = (np.asarray(plan.instants, dtype=np.float64), np.asarray(plan.decision_days, dtype=np.int64),
                   weeks, np.asarray(plan.day_minutes, dtype=np.float64))
    policy_numbers = (plan.counts_work, *numbers)
    busy, decided, officer = kernel(
        arrivals, order.astype(np.int64), priorities, np.ascontiguousarray(work), joined_work, int(servers),
        int(overtime.servers), float(calendar.horizon), calendar._np_start, calendar._np_end, calendar._np_cum,
        calendar._np_cum_at_end, np.asarray(plan.last_end, dtype=np.float64),
        np.asarray(plan.worked_by_last_end, dtype=np.float64), plan_arrays, policy_numbers, days,
        int(overtime.decided), float(overtime.officer_minutes), start, finish)
    overtime.work_end[:] = work_end.tolist()  # the same list, as the Python loop changes it
    overtime.decided = int(decided)
    overtime.next_instant = plan.instants[decided] if decided < len(plan.instants) else math.inf
    overtime.used_by_week = {int(week): float(used_by_week[week]) for week in np.flatnonzero(week_used)}
    overtime.officer_minutes = float(officer)
    finish[finish >= calendar.horizon] = np.nan
    return start, finish, float(busy)
