"""The staff stage's session-time queue (:func:`sim.engines.fast.serve_in_sessions`) compiled with
numba: the same decisions in the same order and the same float arithmetic, so the same start and
finish times to the last bit, arrays in and arrays out.

The pure-Python function stays the reference and the fallback: :func:`serve` returns None where
numba is not installed (with a one-line notice, once per process) or where the inputs are outside
what the kernel takes (priorities that are not exactly floats, or nan), and the caller runs the
Python loop. ``cache=True`` keeps the machine code in ``__pycache__``, so a process compiles it once.

``SIM_NO_COMPILE=1`` in the environment turns the compiled staff stages (this one and
:mod:`sim.engines.compiled_overtime`) off for the process, silently: the Python loops run, with the
same outcomes, only slower (for checking, or where numba misbehaves).
"""

from __future__ import annotations

import heapq
import os
import sys

import numpy as np

from sim.model.calendar import MINUTES_PER_DAY, WorkCalendar

EXACT_INTEGERS = 2 ** 53  # integer priorities below this are exact as floats
_kernel = None  # the compiled kernel, made on first use; False: numba is missing


def _make_kernel():
    """Compile (or load from the cache) the kernel and its helpers; False without numba."""
    global _kernel, _finish_after, _next_work_start
    if _kernel is None and os.environ.get("SIM_NO_COMPILE", "") not in ("", "0"):
        _kernel = False  # asked for: no notice
    if _kernel is None:
        try:
            from numba import njit
        except ImportError:
            print("sim: notice: numba is not installed; the desks and the staff stage run in pure Python "
                  "(pip install numba for a faster one)", file=sys.stderr)
            _kernel = False
        else:  # the helpers first: the kernel calls them by their global names
            _finish_after = njit(cache=True, nogil=True)(_finish_after)
            _next_work_start = njit(cache=True, nogil=True)(_next_work_start)
            _kernel = njit(cache=True, nogil=True)(_serve)
    return _kernel


def _finish_after(t, work, session_start, cum_at_start, session_end, cum_at_end):
    """:meth:`WorkCalendar.finish_after`, the same operations in the same order."""
    if work <= 0:
        return t
    i = np.searchsorted(session_start, t, side="right") - 1
    if i < 0:
        done_before = 0.0
    else:
        done_before = cum_at_start[i] + min(t, session_end[i]) - session_start[i]
    target = done_before + work
    j = np.searchsorted(cum_at_end, target, side="left")
    if j >= len(cum_at_end):
        return np.inf
    return session_start[j] + (target - cum_at_start[j])


def _next_work_start(t, session_start, session_end):
    """:meth:`WorkCalendar.next_work_start`."""
    i = np.searchsorted(session_start, t, side="right") - 1
    if i >= 0 and t < session_end[i]:
        return t
    if i + 1 < len(session_start):
        return session_start[i + 1]
    return np.inf


def _serve(arrivals, items, priorities, works, servers, per_day, horizon, session_start, session_end,
           cum_at_start, cum_at_end, started, finished):
    """The loop of :func:`sim.engines.fast.serve_in_sessions`, line for line (see there): fills
    ``started`` and ``finished`` (nan where not started)."""
    n = len(arrivals)
    free = [(0.0, k) for k in range(servers)]
    day = np.full(servers, -1, dtype=np.int64)
    started_today = np.zeros(servers, dtype=np.int64)
    waiting = [(0.0, 0, 0)]
    waiting.pop()
    ranked = 0
    now = 0.0
    session = 0
    while True:
        t, k = heapq.heappop(free)
        if not waiting:
            if ranked == n:
                break
            if arrivals[ranked] > t:
                t = arrivals[ranked]
        if now > t:
            t = now
        if t >= horizon:
            break
        while session_end[session] <= t:
            session += 1
        if t < session_start[session]:
            t = session_start[session]
        if t >= horizon:
            break
        now = t
        if per_day:
            today = int(t // MINUTES_PER_DAY)
            if today != day[k]:
                day[k], started_today[k] = today, 0
            if started_today[k] >= per_day:
                heapq.heappush(free, (_next_work_start(float((today + 1) * MINUTES_PER_DAY), session_start,
                                                       session_end), k))
                continue
            started_today[k] += 1
        if waiting or (ranked + 1 < n and arrivals[ranked + 1] <= t):
            while ranked < n and arrivals[ranked] <= t:
                i = items[ranked]
                heapq.heappush(waiting, (priorities[i], ranked, i))
                ranked += 1
            i = heapq.heappop(waiting)[2]
        else:
            i = items[ranked]
            ranked += 1
        done = t + works[i]
        if done > session_end[session]:
            done = _finish_after(t, works[i], session_start, cum_at_start, session_end, cum_at_end)
        started[i], finished[i] = t, done
        heapq.heappush(free, (done, k))


def exact_priorities(priority: np.ndarray) -> np.ndarray | None:
    """``priority`` as float64 where that is exact and without nan (the heap then orders the items as
    the Python loop's does), else None."""
    priorities = np.asarray(priority)
    if priorities.dtype.kind in "iub":
        if len(priorities) and np.abs(priorities).max() >= EXACT_INTEGERS:
            return None
    elif priorities.dtype.kind != "f":
        return None
    priorities = priorities.astype(np.float64)
    if np.isnan(priorities).any():
        return None
    return priorities


def serve(arrival: np.ndarray, priority: np.ndarray, work: np.ndarray, servers: int, calendar: WorkCalendar,
          per_day: int = 0) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`sim.engines.fast.serve_in_sessions` compiled; None where the Python loop must run
    (numba missing, priorities not exact as floats or nan)."""
    kernel = _make_kernel()
    if not kernel:
        return None
    priorities = exact_priorities(priority)
    if priorities is None:
        return None
    n = len(arrival)
    start, finish = np.full(n, np.nan), np.full(n, np.nan)
    if n == 0 or servers == 0:
        return start, finish
    order = np.argsort(arrival, kind="stable")
    arrivals = np.ascontiguousarray(arrival[order], dtype=np.float64)
    kernel(arrivals, order.astype(np.int64), priorities, np.ascontiguousarray(work, dtype=np.float64),
           int(servers), int(per_day), float(calendar.horizon), calendar._np_start, calendar._np_end,
           calendar._np_cum, calendar._np_cum_at_end, start, finish)
    finish[finish >= calendar.horizon] = np.nan
    return start, finish
