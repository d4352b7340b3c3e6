"""The reception desks' event loop (:meth:`sim.engines.fast._DeskHall.run`) compiled with numba: the
same events in the same order, the same decisions of :class:`~sim.engines.rules.DeskQueue` and the
same float arithmetic, so the same outcome to the last bit.

What the kernel covers: every configuration except
* queue numbers booked in advance and served first (``desks.booking.serve=priority`` with a
  booked citizen in the workload: ``DeskQueue.booked_first``);
* a closing rule other than the built-in ``overtime`` (``return_next_day``, or a user's rule, or
  the built-in one replaced);
* a visit log (stays in line) longer than the room the kernel sets aside (8 stays per citizen).
There :func:`run` returns False (before touching the hall, or having touched only copies) and the
caller runs the Python loop. The Python loop stays the reference; ``SIM_NO_COMPILE=1`` or numba
missing turns the kernel off, as for the staff stages (:mod:`sim.engines.compiled`).

The hall is built in Python as before (its ``__init__`` lays out the per-citizen lists and schedules
the first visits); the kernel takes its state as arrays, runs the loop to the horizon and the books'
closing, and the results replace the hall's per-citizen records (arrays where the Python loop
leaves lists: both index and convert alike), so everything after ``run`` reads the hall as it would
after the Python loop. The calendar look-ups the loop makes (a return's open
day, a visit's day, a due day) are the :class:`~sim.model.calendar.WorkCalendar` methods over its
own tables, operation for operation.
"""

from __future__ import annotations

import math
import os

import numpy as np

from sim.engines import compiled
from sim.engines.outcome import ABANDONED, AT_DESK, AWAY, DESK_QUEUE
from sim.engines.visits import COLLECTION
from sim.model.calendar import MINUTES_PER_DAY

INF = math.inf
LOG_PER_CITIZEN = 8  # room for stays in line per citizen; beyond it the Python loop runs
_kernel = None  # the compiled loop, made on first use; False: not available

# the hall's scalar state, st (floats) and ist (counts)
OPEN, OVERTIME, CLOSED, CLOSED_SINCE, SERVING_SINCE = 0, 1, 2, 3, 4
N_LOG, N_SPELLS, N_SERVICE, N_BACK, OVERFLOW, WAITING = 0, 1, 2, 3, 4, 5


def _make_kernel():
    """Compile (or load from the cache) the loop and its helpers; False without numba or with
    ``SIM_NO_COMPILE`` set (:func:`sim.engines.compiled._make_kernel` decides and gives the notice)."""
    global _kernel
    if _kernel is None:
        if os.environ.get("SIM_NO_COMPILE", "") not in ("", "0") or not compiled._make_kernel():
            _kernel = False
        else:
            from numba import njit

            g = globals()
            # No reference counting (_nrt=False): the kernel allocates nothing, and counting the
            # references of the arrays it takes from its tuples at every step was most of its time.
            for name in _HELPERS:  # callees first: each calls the others by their global names
                g[name] = njit(cache=True, nogil=True, inline="always", _nrt=False)(g[name])
            g["_run"] = njit(cache=True, nogil=True, _nrt=False)(g["_run"])
            _kernel = g["_run"]
    return _kernel


# --- the calendar's look-ups (WorkCalendar's methods over its tables) -------------------------
def _finish_after(t, work, session_start, cum_at_start, session_end, cum_at_end):
    """:meth:`WorkCalendar.finish_after` (as :func:`sim.engines.compiled._finish_after`, compiled
    here without reference counting)."""
    if work <= 0:
        return t
    i = np.searchsorted(session_start, t, side="right") - 1
    if i < 0:
        done_before = 0.0
    else:
        end = session_end[i]
        done_before = cum_at_start[i] + (end if end < t else t) - session_start[i]
    target = done_before + work
    j = np.searchsorted(cum_at_end, target, side="left")
    if j >= len(cum_at_end):
        return INF
    return session_start[j] + (target - cum_at_start[j])


def _open_day_at(t, later, position, cal):
    """:meth:`WorkCalendar.open_day_at`."""
    open_rank, opening_of, open_minutes_of = cal[4], cal[5], cal[6]
    if not t < len(open_rank) * MINUTES_PER_DAY:
        return INF
    d = int(t // MINUTES_PER_DAY)
    rank = open_rank[max(d, 0)]
    if rank < 0 or rank + later >= len(opening_of):
        return INF
    k = rank + later
    return _finish_after(opening_of[k], position * open_minutes_of[k], cal[0], cal[2], cal[1], cal[3])


def _return_time(t, position, cal):
    """:meth:`WorkCalendar.return_time`."""
    return _open_day_at((t // MINUTES_PER_DAY + 1) * MINUTES_PER_DAY, 0, position, cal)


def _wait_end(t, minutes, cal):
    """:meth:`WorkCalendar.wait_end`."""
    wd_start, wd_end, wd_cum, wd_cum_at_end = cal[7], cal[8], cal[9], cal[10]
    i = np.searchsorted(wd_start, t, side="right") - 1
    if i < 0:
        done = 0.0
    else:
        end = wd_end[i]
        done = wd_cum[i] + (end if end < t else t) - wd_start[i]
    target = done + minutes
    j = np.searchsorted(wd_cum_at_end, target, side="left")
    if j >= len(wd_start):
        return INF
    return wd_start[j] + (target - wd_cum[j])


def _due_time(received, deadline_wd, cal):
    """:meth:`WorkCalendar.due_time`."""
    ordinal, next_ordinal, close, scalars = cal[11], cal[12], cal[13], cal[14]
    day = int(received // MINUTES_PER_DAY)
    time_of_day = received - day * MINUTES_PER_DAY
    if ordinal[day] >= 0 and time_of_day < scalars[0]:
        first = ordinal[day]
        late = time_of_day > scalars[1]
    else:
        first = next_ordinal[day]
        late = False
    k = first + deadline_wd + (1 if deadline_wd == 0 and late else 0)
    return close[min(k, len(close) - 1)]


def _extend_due(due, working_days, cal):
    """:meth:`WorkCalendar.extend_due`."""
    if working_days <= 0:
        return due
    ordinal, close = cal[11], cal[13]
    k = ordinal[int(due // MINUTES_PER_DAY)] + int(math.ceil(working_days))
    return close[min(k, len(close) - 1)]


# --- heaps of (time, citizen): the same pops as heapq's on the tuples (the keys are distinct) ----
def _less(ta, ia, tb, ib):
    return ta < tb or (ta == tb and ia < ib)


def _heap_push(keys, ids, groups, n, t, i, g):
    """Push (t, i, g) onto the heap of ``n`` entries; the new count."""
    k = n
    while k > 0:
        parent = (k - 1) >> 1
        if _less(t, i, keys[parent], ids[parent]):
            keys[k], ids[k], groups[k] = keys[parent], ids[parent], groups[parent]
            k = parent
        else:
            break
    keys[k], ids[k], groups[k] = t, i, g
    return n + 1


def _heap_pop(keys, ids, groups, n):
    """Remove the smallest of the ``n`` entries (it was at 0): the heap of ``n - 1`` left."""
    n -= 1
    t, i, g = keys[n], ids[n], groups[n]
    k = 0
    while True:
        child = 2 * k + 1
        if child >= n:
            break
        if child + 1 < n and _less(keys[child + 1], ids[child + 1], keys[child], ids[child]):
            child += 1
        if _less(keys[child], ids[child], t, i):
            keys[k], ids[k], groups[k] = keys[child], ids[child], groups[child]
            k = child
        else:
            break
    if n > 0:
        keys[k], ids[k], groups[k] = t, i, g


# --- the queue's rules (DeskQueue's methods, line for line) -------------------------------------
def _come_back(i, t, heaps, ist):
    """:meth:`_DeskHall.come_back`."""
    if ist[N_BACK] >= len(heaps[3]):
        ist[OVERFLOW] = 1  # (a citizen twice in the heap: not expected) the Python loop runs
        return
    ist[N_BACK] = _heap_push(heaps[3], heaps[4], heaps[5], ist[N_BACK], t, i, 0)


def _log_stay(a, b, log_enter, log_exit, ist):
    n = ist[N_LOG]
    if n >= len(log_enter):
        ist[OVERFLOW] = 1  # the result is thrown away: the Python loop runs
        return
    log_enter[n], log_exit[n] = a, b
    ist[N_LOG] = n + 1


def _closed_minutes(a, b, st, spell_start, spell_end, ist):
    """:meth:`DeskQueue.closed_minutes`."""
    closed = st[CLOSED] != 0.0
    if not closed and a >= st[SERVING_SINCE]:
        return 0.0
    total = 0.0
    if closed:
        since = st[CLOSED_SINCE]
        x = b - (since if since > a else a)
        total = x if x > 0.0 else 0.0
    k = ist[N_SPELLS] - 1
    while k >= 0 and spell_end[k] > a:
        start, end = spell_start[k], spell_end[k]
        x = (b if b < end else end) - (a if a >= start else start)
        total += x if x > 0.0 else 0.0
        k -= 1
    return total


def _end_stay(i, t, cz, st, log, ist, wait_counts_closed):
    """:meth:`DeskQueue._end_stay`."""
    entered, desk_wait, closed_wait = cz[0], cz[3], cz[4]
    since = entered[i]
    _log_stay(since, t, log[0], log[1], ist)
    if st[CLOSED] == 0.0 and since >= st[SERVING_SINCE]:
        desk_wait[i] += t - since
        return
    closed = _closed_minutes(since, t, st, log[2], log[3], ist)
    closed_wait[i] += closed
    if wait_counts_closed:
        desk_wait[i] += t - since
    else:
        desk_wait[i] += t - since - closed


def _give_up(i, t, now, cz, ci, st, log, ist, heaps, cal, flags):
    """:meth:`DeskQueue.give_up`."""
    _end_stay(i, t, cz, st, log, ist, flags[1])
    patience, later_patience, abandoned_at, return_position = cz[1], cz[2], cz[7], cz[10]
    stage, returns, gave_up_before = ci[0], ci[3], ci[4]
    if flags[0]:
        patience[i] = later_patience[i]
    if returns[i] and not gave_up_before[i]:
        gave_up_before[i] = 1
        stage[i] = AWAY
        back = _return_time(t, return_position[i], cal)
        if back < cal[14][3]:
            _come_back(i, now if now > back else back, heaps, ist)
    else:
        stage[i] = ABANDONED
        abandoned_at[i] = t


def _pop_front(g, queues, ist):
    head, qlen, nxt = queues[0], queues[2], queues[3]
    i = head[g]
    head[g] = nxt[i]
    qlen[g] -= 1
    ist[WAITING] -= 1
    return i


def _call_from(now, g, cz, ci, queues, st, log, ist, heaps, cal, flags):
    """:meth:`DeskQueue._call_from` on group ``g``'s line."""
    entered, patience, desk_start = cz[0], cz[1], cz[5]
    qlen = queues[2]
    while qlen[g]:
        i = _pop_front(g, queues, ist)
        since = entered[i]
        if now - since > patience[i]:
            _give_up(i, since + patience[i], now, cz, ci, st, log, ist, heaps, cal, flags)
            continue
        _end_stay(i, now, cz, st, log, ist, flags[1])
        ci[0][i] = AT_DESK
        desk_start[i] = now
        return i
    return -1


def _longest_waiting(now, groups, n_groups, cz, ci, queues, st, log, ist, heaps, cal, flags):
    """:meth:`DeskQueue._longest_waiting` over ``groups[:n_groups]``."""
    entered, patience = cz[0], cz[1]
    head, qlen = queues[0], queues[2]
    best, best_entered = -1, INF
    for x in range(n_groups):
        h = groups[x]
        while qlen[h] and now - entered[head[h]] > patience[head[h]]:
            i = _pop_front(h, queues, ist)
            _give_up(i, entered[i] + patience[i], now, cz, ci, st, log, ist, heaps, cal, flags)
        if qlen[h] and entered[head[h]] < best_entered:
            best, best_entered = h, entered[head[h]]
    return best


def _join(i, now, cz, ci, queues, st, log, ist, heaps, cal, issued, day0, intake_per_day, flags):
    """:meth:`DeskQueue.join` (and :meth:`DeskQueue.ask_to_return`)."""
    stage, group, asked_to_return, return_visits, asked_pending, capped = ci[0], ci[2], ci[5], ci[6], ci[7], ci[8]
    if capped[i]:
        if asked_pending[i]:
            asked_pending[i] = 0
            return_visits[i] += 1
        day = int(now // MINUTES_PER_DAY) - day0
        if issued[day] >= intake_per_day:  # ask_to_return
            _log_stay(now, now, log[0], log[1], ist)
            asked_to_return[i] += 1
            if flags[0]:
                cz[1][i] = cz[2][i]
            stage[i] = AWAY
            back = _return_time(now, cz[10][i], cal)
            if back < cal[14][3]:
                asked_pending[i] = 1
                _come_back(i, back, heaps, ist)
            return
        issued[day] += 1
    if st[OVERTIME] != 0.0 and st[OPEN] == 0.0 and ist[WAITING] == 0:
        st[OVERTIME] = 0.0
        st[CLOSED], st[CLOSED_SINCE] = 1.0, now
    stage[i] = DESK_QUEUE
    cz[0][i] = now
    head, tail, qlen, nxt = queues
    g = group[i]
    nxt[i] = -1
    if qlen[g] == 0:
        head[g] = i
    else:
        nxt[tail[g]] = i
    tail[g] = i
    qlen[g] += 1
    ist[WAITING] += 1


def _visits_after_receipt(i, receipt, cz, visits, heaps, ist, cal):
    """:meth:`DeskQueue.visits_after_receipt`."""
    visits_from, visit_ids, deadline, paused, kind, days, position, arrival_day, collect_at, first_visit = visits
    first, end = visits_from[i], visits_from[i + 1]
    if first == end:
        return
    extra_arrival, horizon, business_close = cz[11], cal[14][3], cal[14][0]
    day = receipt // MINUTES_PER_DAY
    on_arrival_day = day == arrival_day[i] and receipt - day * MINUTES_PER_DAY < business_close
    due = math.nan
    if not on_arrival_day:
        due = _extend_due(_due_time(receipt, deadline[i], cal), paused[i], cal)
    for x in range(first, end):
        j = visit_ids[x]
        k = j - first_visit
        if on_arrival_day and kind[k] == COLLECTION:
            t = collect_at[k]
        elif kind[k] == COLLECTION:
            t = _open_day_at(due, int(days[k]), position[k], cal)
        else:
            t = _open_day_at(_wait_end(receipt, days[k] * cal[14][2], cal), 0, position[k], cal)
        if t <= receipt:  # not_before_receipt
            t = _return_time(receipt, position[k], cal)
        if t < horizon:
            extra_arrival[k] = t
            _come_back(j, t, heaps, ist)


def _start_service(now, g, i, cz, ci, heaps, ist, cal, visits, n_in_person, flags):
    """:meth:`_DeskHall._start_service`."""
    ci[1][i] = g
    end = now + cz[8][i]
    if end < cal[14][3]:
        cz[6][i] = end
        if i < n_in_person and ci[9][i]:
            _visits_after_receipt(i, end, cz, visits, heaps, ist, cal)
    free_at = end + cz[9][i] if flags[2] else end
    ist[N_SERVICE] = _heap_push(heaps[0], heaps[1], heaps[2], ist[N_SERVICE], free_at, i, g)


def _call_and_serve(now, g, h, cz, ci, queues, st, log, ist, heaps, cal, visits, n_in_person, flags):
    """A free desk of ``g`` calls from ``h``'s line and serves whom it calls; False if nobody was there."""
    i = _call_from(now, h, cz, ci, queues, st, log, ist, heaps, cal, flags)
    if i < 0:
        return False
    ci[1][i] = g
    _start_service(now, g, i, cz, ci, heaps, ist, cal, visits, n_in_person, flags)
    return True


def _dispatch(now, callers, n_callers, idle, may_take, n_may_take, pooled, cz, ci, queues, st, log, ist,
              heaps, cal, visits, n_in_person, flags):
    """:meth:`DeskQueue.dispatch` followed by the calls' services (:meth:`_DeskHall._call`): a
    service touches nothing dispatch reads, so each is started as its call is made."""
    qlen = queues[2]
    for x in range(n_callers):
        g = callers[x]
        while idle[g] and qlen[g]:
            if not _call_and_serve(now, g, g, cz, ci, queues, st, log, ist, heaps, cal, visits, n_in_person, flags):
                break
            idle[g] -= 1
    if not pooled:
        for x in range(n_callers):
            g = callers[x]
            while idle[g] and ist[WAITING]:
                h = _longest_waiting(now, may_take[g], n_may_take[g], cz, ci, queues, st, log, ist, heaps, cal, flags)
                if h < 0:
                    break
                _call_and_serve(now, g, h, cz, ci, queues, st, log, ist, heaps, cal, visits, n_in_person, flags)
                idle[g] -= 1


def _others_take(now, g, only_g, idle, takers_of, n_takers, cz, ci, queues, st, log, ist, heaps, cal, visits,
                 n_in_person, flags):
    """:meth:`_DeskHall._others_take` (``only_g``: room for one group number)."""
    only_g[0] = g
    qlen = queues[2]
    for x in range(n_takers[g]):
        h = takers_of[g, x]
        while idle[h] and qlen[g]:
            if _longest_waiting(now, only_g, 1, cz, ci, queues, st, log, ist, heaps, cal, flags) < 0:
                return
            idle[h] -= 1
            _call_and_serve(now, h, g, cz, ci, queues, st, log, ist, heaps, cal, visits, n_in_person, flags)


def _run(arrival, b_time, b_opening, b_last, idle, may_take, n_may_take, takers_of, n_takers, cz, ci, queues,
         st, log, ist, heaps, cal, visits, issued, day0, intake_per_day, n_in_person, flags, all_groups, one, only_g):
    """:meth:`_DeskHall.run` and :meth:`DeskQueue.close_books`, event for event (see there);
    ``all_groups``: 0, 1, ... for every group, ``one`` and ``only_g`` room for one group number.

    Why one function: numba compiles it without reference counting only when nothing is allocated
    or called through Python objects inside, so the event loop and the queue rules it uses are
    inlined here; it is held line for line to the Python loop by tests/test_compiled_desks.py."""
    horizon = cal[14][3]
    n_groups = len(idle)
    pooled = n_groups == 1
    entered, patience = cz[0], cz[1]
    head, qlen = queues[0], queues[2]
    next_arrival = next_boundary = 0
    t_arrival, t_boundary = arrival[0], b_time[0]
    while True:
        t_free = heaps[0][0] if ist[N_SERVICE] else INF
        t_back = heaps[3][0] if ist[N_BACK] else INF
        now = t_free
        if t_boundary < now:
            now = t_boundary
        if t_arrival < now:
            now = t_arrival
        if t_back < now:
            now = t_back
        if now >= horizon:
            break
        serving = st[OPEN] != 0.0 or st[OVERTIME] != 0.0
        if now == t_free:
            g = heaps[2][0]
            _heap_pop(heaps[0], heaps[1], heaps[2], ist[N_SERVICE])
            ist[N_SERVICE] -= 1
            idle[g] += 1
            if idle[g] == 1 and serving:
                i = _call_from(now, g, cz, ci, queues, st, log, ist, heaps, cal, flags) if qlen[g] else -1
                if i < 0 and not pooled and ist[WAITING]:
                    h = _longest_waiting(now, may_take[g], n_may_take[g], cz, ci, queues, st, log, ist, heaps,
                                         cal, flags)
                    i = _call_from(now, h, cz, ci, queues, st, log, ist, heaps, cal, flags) if h >= 0 else -1
                if i >= 0:
                    idle[g] = 0
                    _start_service(now, g, i, cz, ci, heaps, ist, cal, visits, n_in_person, flags)
                continue
            one[0] = g
            callers, n_callers = one, 1
        elif now == t_boundary:
            opening, last_of_day = b_opening[next_boundary], b_last[next_boundary]
            next_boundary += 1
            t_boundary = b_time[next_boundary]
            if opening:  # open_session (nobody was sent home: the closing rule is overtime)
                st[OPEN], st[OVERTIME] = 1.0, 0.0
                if st[CLOSED] != 0.0:
                    n = ist[N_SPELLS]
                    log[2][n], log[3][n] = st[CLOSED_SINCE], now
                    ist[N_SPELLS] = n + 1
                    st[CLOSED] = 0.0
                    st[SERVING_SINCE] = now
            else:  # end_session, closing rule overtime
                st[OPEN] = 0.0
                if last_of_day:
                    st[OVERTIME] = 1.0
                if st[OVERTIME] == 0.0:
                    st[CLOSED], st[CLOSED_SINCE] = 1.0, now
            callers, n_callers = all_groups, n_groups
        else:
            if now == t_arrival:
                i = next_arrival
                next_arrival += 1
                t_arrival = arrival[next_arrival]
            else:
                i = heaps[4][0]
                _heap_pop(heaps[3], heaps[4], heaps[5], ist[N_BACK])
                ist[N_BACK] -= 1
            _join(i, now, cz, ci, queues, st, log, ist, heaps, cal, issued, day0, intake_per_day, flags)
            g = ci[2][i]
            if qlen[g] and (st[OPEN] != 0.0 or st[OVERTIME] != 0.0):
                if idle[g]:
                    idle[g] -= 1
                    i = _call_from(now, g, cz, ci, queues, st, log, ist, heaps, cal, flags)
                    _start_service(now, g, i, cz, ci, heaps, ist, cal, visits, n_in_person, flags)
                    continue
                if ist[WAITING] == qlen[g]:  # no other line has anyone
                    _others_take(now, g, only_g, idle, takers_of, n_takers, cz, ci, queues, st, log, ist, heaps, cal,
                                 visits, n_in_person, flags)
                    continue
            callers, n_callers = takers_of[g], n_takers[g]
        if pooled:
            if not (idle[0] and qlen[0]):
                continue
        else:
            any_idle = False
            for h in range(n_groups):
                if idle[h]:
                    any_idle = True
                    break
            if not (any_idle and ist[WAITING]):
                continue
        if st[OPEN] != 0.0 or st[OVERTIME] != 0.0:
            _dispatch(now, callers, n_callers, idle, may_take, n_may_take, pooled, cz, ci, queues, st, log, ist,
                      heaps, cal, visits, n_in_person, flags)
    for g in range(n_groups):  # close_books
        while qlen[g]:
            i = _pop_front(g, queues, ist)
            if entered[i] + patience[i] < horizon:
                _give_up(i, entered[i] + patience[i], horizon, cz, ci, st, log, ist, heaps, cal, flags)
            else:
                _log_stay(entered[i], horizon, log[0], log[1], ist)


_HELPERS = ("_finish_after", "_open_day_at", "_return_time", "_wait_end", "_due_time", "_extend_due", "_less", "_heap_push",
            "_heap_pop", "_come_back", "_log_stay", "_closed_minutes", "_end_stay", "_give_up", "_pop_front",
            "_call_from", "_longest_waiting", "_join", "_visits_after_receipt", "_start_service",
            "_call_and_serve", "_dispatch", "_others_take")


# --- the hall's state in and out ---------------------------------------------------------------
def covers(hall) -> bool:
    """Whether the kernel takes this hall (see the module's docstring): no booked-first lines, the
    built-in overtime closing rule, nobody sent home, a fresh hall (nobody in line or at a desk)."""
    from sim.engines.rules import serve_in_overtime

    return (not hall.booked_first and hall.closing is serve_in_overtime and not hall.sent_home
            and not hall.in_service and hall.waiting() == 0 and not hall.visit_enter and not hall.issued
            and hall.idle == list(hall.counts))


def _calendar_tables(calendar) -> tuple:
    """The calendar's tables the loop looks up, in the order the helpers index them."""
    as_f, as_i = (lambda x: np.asarray(x, dtype=np.float64)), (lambda x: np.asarray(x, dtype=np.int64))
    return (calendar._np_start, calendar._np_end, calendar._np_cum, calendar._np_cum_at_end,
            as_i(calendar._np_open_rank), as_f(calendar._np_opening_of), as_f(calendar._np_open_minutes_of),
            calendar._wd_start, calendar._wd_end, calendar._wd_cum, calendar._wd_cum_at_end,
            as_i(calendar._np_ordinal), as_i(calendar._np_next_ordinal), as_f(calendar._np_close_of_working_day),
            np.array([calendar.business_close, calendar.spec.same_day_cutoff, calendar.minutes_per_working_day,
                      calendar.horizon], dtype=np.float64))


def run(hall) -> bool:
    """Run ``hall`` (a fresh :class:`sim.engines.fast._DeskHall`: built, not run) to the horizon and close its books
    with the kernel, as its Python loop would; False, with the hall untouched, where the kernel is
    not available or does not cover it (the caller then runs the Python loop)."""
    kernel = _make_kernel()
    if not kernel or not covers(hall):
        return False
    f64, i64 = np.float64, np.int64
    n_all, n_groups = len(hall.stage), len(hall.counts)
    horizon = hall.horizon
    as_f = lambda x: np.array(x, dtype=f64)  # copies: the hall is left as it was until the end
    as_i = lambda x: np.array(x, dtype=i64)
    later = hall.later_patience
    back_work = hall.back_work
    # a fresh hall's per-citizen records are as DeskQueue.__init__ set them (covers checks it is
    # fresh): made here as arrays, not converted from its lists
    zeros, nans = (lambda: np.zeros(n_all)), (lambda: np.full(n_all, np.nan))
    patience = as_f(hall.patience)
    cz = (zeros(), patience, as_f(later) if later is not None else patience, zeros(), zeros(), nans(), nans(),
          nans(), as_f(hall.desk_minutes), as_f(back_work) if back_work is not None else zeros(),
          as_f(hall.return_position), as_f(hall.extra_arrival))
    none = lambda: np.zeros(n_all, dtype=i64)
    ci = (none(), np.full(n_all, -1, dtype=i64), as_i(hall.group), as_i(hall.returns), none(), none(), none(), none(),
          as_i(hall.capped), as_i(hall.brings_visits) if len(hall.brings_visits) else np.zeros(1, dtype=i64))
    queues = (np.full(n_groups, -1, dtype=i64), np.full(n_groups, -1, dtype=i64), np.zeros(n_groups, dtype=i64),
              np.full(n_all, -1, dtype=i64))
    back = hall.coming_back
    cb_t, cb_i = np.empty(n_all + len(back) + 1), np.empty(n_all + len(back) + 1, dtype=i64)
    cb_t[:len(back)] = [t for t, _ in back]
    cb_i[:len(back)] = [i for _, i in back]
    heaps = (np.empty(sum(hall.counts) + 1), np.empty(sum(hall.counts) + 1, dtype=i64),
             np.empty(sum(hall.counts) + 1, dtype=i64), cb_t, cb_i, np.zeros(len(cb_t), dtype=i64))
    boundaries = hall._boundaries()
    b_time = np.array([b[0] for b in boundaries] + [INF], dtype=f64)
    b_opening = np.array([b[1] for b in boundaries] + [False], dtype=i64)
    b_last = np.array([b[2] for b in boundaries] + [False], dtype=i64)
    log = (np.empty(LOG_PER_CITIZEN * n_all + 16), np.empty(LOG_PER_CITIZEN * n_all + 16),
           np.empty(len(boundaries) + 2), np.empty(len(boundaries) + 2))
    st = np.array([hall.open, hall.overtime, hall.closed_since is not None,
                   hall.closed_since if hall.closed_since is not None else 0.0, hall.serving_since], dtype=f64)
    ist = np.zeros(6, dtype=i64)
    ist[N_BACK] = _heapify(cb_t, cb_i, len(back))
    arrival = np.array(hall.arrival + [INF], dtype=f64)
    first_day = min([0.0, *hall.arrival[:1], *cb_t[:len(back)]]) // MINUTES_PER_DAY  # arrivals are in time order
    day0 = int(first_day)
    issued = np.zeros(int(horizon // MINUTES_PER_DAY) + 2 - day0, dtype=i64)
    for day, count in hall.issued.items():
        issued[day - day0] = count
    if hall.visits is not None:
        visits = (as_i(hall._visits_from), as_i(hall._visit_ids), as_i(hall._deadline), as_f(hall._paused),
                  as_i(hall._visit_kind), as_f(hall._visit_days), as_f(hall._visit_position),
                  as_f(hall._arrival_day), as_f(hall._collect_at), hall.first_visit)
    else:
        empty_f, empty_i = np.zeros(1), np.zeros(1, dtype=i64)
        visits = (np.zeros(hall.n_records + 1, dtype=i64), empty_i, empty_i, empty_f, empty_i, empty_f, empty_f,
                  empty_f, empty_f, hall.first_visit)
    may_take, n_may_take = _table(hall.may_take, n_groups)
    takers_of, n_takers = _table(hall.takers_of, n_groups)
    flags = np.array([later is not None, hall.wait_counts_closed, back_work is not None], dtype=i64)
    kernel(arrival, b_time, b_opening, b_last, as_i(hall.idle), may_take, n_may_take, takers_of, n_takers, cz, ci,
           queues, st, log, ist, heaps, _calendar_tables(hall.calendar), visits, issued, day0,
           int(hall.intake_per_day), hall.n_in_person, flags, np.arange(n_groups, dtype=i64),
           np.zeros(1, dtype=i64), np.zeros(1, dtype=i64))
    if ist[OVERFLOW]:
        return False
    hall.desk_wait, hall.closed_wait, hall.desk_start, hall.desk_end, hall.abandoned_at = cz[3], cz[4], cz[5], cz[6], cz[7]
    hall.extra_arrival = cz[11]
    hall.stage, hall.served_by, hall.asked_to_return, hall.return_visits = ci[0], ci[1], ci[5], ci[6]
    hall.visit_enter, hall.visit_exit = log[0][:ist[N_LOG]], log[1][:ist[N_LOG]]
    return True


def _heapify(keys: np.ndarray, ids: np.ndarray, n: int) -> int:
    """Order the first ``n`` (time, citizen) entries as the kernel's heap: sorted is a heap."""
    order = np.lexsort((ids[:n], keys[:n]))
    keys[:n], ids[:n] = keys[:n][order], ids[:n][order]
    return n


def _table(rows: list[list[int]], n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Ragged lists of groups as a padded table and the length of each row."""
    table = np.zeros((n_groups, max(1, n_groups)), dtype=np.int64)
    for g, row in enumerate(rows):
        table[g, :len(row)] = row
    return table, np.array([len(row) for row in rows], dtype=np.int64)
