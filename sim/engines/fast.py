"""The fast engine: one unit in one replication, simulated stage by stage.

Records flow one way: reception desks, then department staff, then a wait for missing papers and
external steps, then a head's approval. Nothing a later stage does changes an earlier one, so each
stage can be simulated to the horizon on its own once the previous stage's output times are known.
Each stage is a short event loop over pre-drawn arrays (no event objects, no coroutines); the
steps between stages (receipt, due dates, waits) are numpy operations on whole arrays.

The model is the one of :mod:`sim.engines.reference`, written as processes there; the tests check that
both give the same outcome for the same workload. The rules both apply at each event (the desk
line, giving up, closing rules, queue orders, closing the books) are in :mod:`sim.engines.rules`;
what is here is how the fast engine orders events. No file I/O, no statistics here.
"""

from __future__ import annotations

import bisect
import heapq
import math
from heapq import heappush

import numpy as np

from sim.engines import compiled, compiled_desks, compiled_overtime
from sim.engines.outcome import UnitOutcome
from sim.engines.rules import (BorrowingDispatch, DeskQueue, OvertimeDays, OvertimePlan, as_desks, busy_by_pool,
                               desk_sessions, priorities, stage_at_horizon, worked_up_to)
from sim.engines.workload import Workload
from sim.model.calendar import MINUTES_PER_DAY, WorkCalendar
from sim.model.scenario import BackOfficePolicy, DeskPolicy, Desks
from sim.model.structures import Organisation

INF = math.inf
NAN = math.nan


# --- reception desks ---------------------------------------------------------------------------
class _DeskHall(DeskQueue):
    """The reception queues (:class:`~sim.engines.rules.DeskQueue`) and the desks, run as a small
    event loop over the pre-drawn arrays: desks freeing, sessions opening and closing, arrivals
    and returns, in time order."""

    def __init__(self, w: Workload, calendar: WorkCalendar, desks: Desks, policy: DeskPolicy):
        super().__init__(w, calendar, policy, desks)
        extra = [] if w.visits is None else w.visits.desk_minutes.tolist()
        desk_minutes = w.desk_minutes[: w.n_in_person]
        self.desk_minutes = desk_minutes.tolist() + extra  # per citizen: in-person records, then visits
        share = policy.other_duties_share
        # the back work on each record after its service (None: officers have no other duties);
        # a desk-only visit brings none
        self.back_work = ((desk_minutes * (share / (1.0 - share))).tolist() + [0.0] * len(extra)
                          if share > 0 else None)
        self.arrival = w.arrival[: w.n_in_person].tolist()
        self.n_in_person = w.n_in_person
        self.in_service: list[tuple[float, int, int]] = []  # (desk free, record, desk group), a heap
        self.coming_back: list[tuple[float, int]] = []  # (time, record), a heap
        self.only = [[g] for g in range(len(self.counts))]  # the callers after a desk of g frees
        if self.visits is not None:  # guidance visits, and the visits of records received on arrival
            self.start_visits()
            received = np.arange(w.n_in_person, w.n_arriving)
            self.visits_after_receipts(received, w.arrival[received])

    def come_back(self, i: int, t: float) -> None:
        heapq.heappush(self.coming_back, (t, i))

    def come_back_all(self, citizens: list[int], times: list[float]) -> None:
        self.coming_back.extend(zip(times, citizens))
        heapq.heapify(self.coming_back)

    def run(self) -> None:
        """Advance event by event to the horizon: desk frees, session boundaries, arrivals, returns
        (in that order at equal times). After each event the free desks that can call do
        (:meth:`_call`); the quick test before it skips the common case of nothing to dispatch,
        and the commonest calls (a freed counter alone in its group, a newcomer to a line an idle
        counter may take from) are made here as dispatch would make them, without it. The engine
        agreement tests hold all of it to the reference engine, which always asks dispatch.

        The loop runs compiled (:mod:`sim.engines.compiled_desks`, the same outcome to the last
        bit) where numba is there and the kernel covers the hall; else here, in Python."""
        if compiled_desks.run(self):
            return
        self.run_python()

    def run_python(self) -> None:
        """:meth:`run`'s loop in Python: the reference for the compiled one, and the fallback.

        Why one function: an event loop whose commonest cases are dispatched inline (see
        :meth:`run`) because a method call per event doubles its time; the compiled kernel mirrors it
        line for line (sim.engines.compiled_desks), and the engine agreement tests hold both to the
        reference engine, which always asks :meth:`dispatch`."""
        horizon, in_service, coming_back = self.horizon, self.in_service, self.coming_back
        heappop = heapq.heappop
        arrival = self.arrival + [INF]  # sentinels: no length checks in the loop
        boundaries = self._boundaries() + [(INF, False, False)]
        idle, queues, queue, only, takers_of, group = self.idle, self.queues, self.queue, self.only, self.takers_of, self.group
        pooled, booked_first = self.pooled, self.booked_first
        other_lines = [[q for h, q in enumerate(queues) if h != g] for g in range(len(queues))]
        next_arrival = next_boundary = 0
        t_arrival, t_boundary = arrival[0], boundaries[0][0]
        while True:
            now = in_service[0][0] if in_service else INF
            t_back = coming_back[0][0] if coming_back else INF
            t_free = now
            if t_boundary < now:
                now = t_boundary
            if t_arrival < now:
                now = t_arrival
            if t_back < now:
                now = t_back
            if now >= horizon:
                break
            if now == t_free:
                g = heappop(in_service)[2]
                idle[g] += 1  # desk_free
                if idle[g] == 1 and not booked_first and (self.open or self.overtime):
                    # the only free counter of its group calls as dispatch would (every other group
                    # was settled and gains nobody): the first of its own line, else, if it may
                    # take from others, the longest waiter of the lines it may take from
                    i = self._call_from(now, queues[g]) if queues[g] else -1
                    if i < 0 and not pooled and any(queues):
                        h = self._longest_waiting(now, self.may_take[g])
                        i = self._call_from(now, queues[h]) if h >= 0 else -1
                    if i >= 0:
                        idle[g] = 0
                        self._start_service(now, g, i)
                    continue
                callers = only[g]
            elif now == t_boundary:
                _, opening, last_of_day = boundaries[next_boundary]
                next_boundary += 1
                t_boundary = boundaries[next_boundary][0]
                if opening:
                    self.open_session(now)
                else:
                    self.end_session(now, last_of_day)
                callers = None
            else:
                if now == t_arrival:
                    i = next_arrival
                    next_arrival += 1
                    t_arrival = arrival[next_arrival]
                else:
                    i = heappop(coming_back)[1]
                self.join(i, now)
                g = group[i]
                if not booked_first and queues[g] and (self.open or self.overtime):
                    if idle[g]:
                        # a counter of their own group is free and the line was empty: it calls them at
                        # once, as dispatch would (every other group was settled and gains nobody)
                        idle[g] -= 1
                        self._start_service(now, g, self._call_from(now, queues[g]))
                        continue
                    if not any(other_lines[g]):
                        self._others_take(now, g)
                        continue
                callers = takers_of[g]
            if pooled:
                if not (idle[0] and (queue or booked_first)):
                    continue
            elif not (any(idle) and (any(queues) or booked_first)):
                continue  # no free desk, or nobody in line: nothing to dispatch
            if self.open or self.overtime:  # else the desks do not serve and dispatch calls nobody
                self._call(now, callers)
        self.close_books()

    def _others_take(self, now: float, g: int) -> None:
        """Someone joined group ``g``'s line, its own counters are busy and no other line has anyone:
        the free counters that may take from it call from it, as :meth:`dispatch` would (its
        second round, in which each group's free desks take the longest waiter they may take: here
        always the first of ``g``'s line still there)."""
        line, idle, only_g = self.queues[g], self.idle, self.only[g]
        for h in self.takers_of[g]:
            while idle[h] and line:
                if self._longest_waiting(now, only_g) < 0:  # the impatient at its head have left: nobody
                    return
                idle[h] -= 1
                self._start_service(now, h, self._call_from(now, line))

    def _boundaries(self) -> list[tuple[float, bool, bool]]:
        """(time, opening?, last session of its day?) of every session start and end before the horizon."""
        out = []
        for start, end, last_of_day in desk_sessions(self.calendar):
            out.append((start, True, False))
            if end < self.horizon:
                out.append((end, False, last_of_day))
        return out

    def _call(self, now: float, callers: list[int] | None) -> None:
        """Free desks of ``callers`` (None: every group; see :meth:`dispatch`) call the next
        citizens in line, if the desks are serving: each is received at the end of its service (if
        before the horizon), the desk is free after its back work."""
        for g, i in self.dispatch(now, callers):
            self._start_service(now, g, i)

    def _start_service(self, now: float, g: int, i: int) -> None:
        """A desk of group ``g`` serves citizen ``i`` from ``now`` (the call dispatch, or the loop, made)."""
        self.served_by[i] = g
        end = now + self.desk_minutes[i]
        if end < self.horizon:
            self.desk_end[i] = end
            if i < self.n_in_person and self.brings_visits[i]:  # a submission, received at the end
                self.visits_after_receipt(i, end)
        back_work = self.back_work
        heappush(self.in_service, (end if back_work is None else end + back_work[i], i, g))


# --- back office -------------------------------------------------------------------------------
def serve_in_sessions(arrival: np.ndarray, priority: np.ndarray, work: np.ndarray, servers: int,
                      calendar: WorkCalendar, per_day: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """:func:`serve_in_sessions_python` compiled (:mod:`sim.engines.compiled`, the same times to the
    last bit), or that function itself where numba is missing."""
    served = compiled.serve(arrival, priority, work, servers, calendar, per_day)
    if served is None:
        return serve_in_sessions_python(arrival, priority, work, servers, calendar, per_day)
    return served


def serve_in_sessions_python(arrival: np.ndarray, priority: np.ndarray, work: np.ndarray, servers: int,
                             calendar: WorkCalendar, per_day: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A non-preemptive queue with ``servers`` identical servers who work only in session time.

    A free server takes the waiting item with the smallest ``priority`` (ties: first arrived) and
    works ``work`` session minutes on it. With ``per_day`` > 0 a server starts at most that many
    items a calendar day (a head's daily approvals). Returns start and finish times; nan where an
    item was not started, or not finished, before the horizon.

    Why one function: the reference of the compiled kernel (sim.engines.compiled), which mirrors it
    line for line so that the tests can hold them to the same bits.
    """
    n = len(arrival)
    start, finish = np.full(n, np.nan), np.full(n, np.nan)
    if n == 0 or servers == 0:
        return start, finish
    horizon, finish_after = calendar.horizon, calendar.finish_after
    session_start, session_end = calendar.session_start, calendar.session_end
    order = np.argsort(arrival, kind="stable")
    arrivals, items = arrival[order].tolist(), order.tolist()
    priorities, works = priority.tolist(), work.tolist()
    started, finished = [NAN] * n, [NAN] * n
    free = [(0.0, k) for k in range(servers)]  # (when the server can next start, server), a heap
    day, started_today = [-1] * servers, [0] * servers
    waiting: list[tuple[float, int, int]] = []  # (priority, arrival rank, item), a heap
    ranked = 0  # arrivals[:ranked] have joined the queue
    now = 0.0  # time of the latest decision: decisions are taken in time order ...
    session = 0  # ... so the current session is found by moving forward, never by searching
    while True:
        t, k = heapq.heappop(free)  # the server free first takes the next item
        if not waiting:
            if ranked == n:
                break
            if arrivals[ranked] > t:
                t = arrivals[ranked]
        if now > t:
            t = now
        if t >= horizon:
            break
        while session_end[session] <= t:  # the calendar's sessions run far past the horizon
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
                heapq.heappush(free, (calendar.next_work_start((today + 1) * MINUTES_PER_DAY), k))
                continue
            started_today[k] += 1
        if waiting or (ranked + 1 < n and arrivals[ranked + 1] <= t):
            while ranked < n and arrivals[ranked] <= t:
                i = items[ranked]
                heapq.heappush(waiting, (priorities[i], ranked, i))
                ranked += 1
            i = heapq.heappop(waiting)[2]
        else:  # the only item there: no queue to order
            i = items[ranked]
            ranked += 1
        done = t + works[i]
        if done > session_end[session]:  # the work runs into later sessions
            done = finish_after(t, works[i])
        started[i], finished[i] = t, done
        heapq.heappush(free, (done, k))
    start[:], finish[:] = started, finished
    finish[finish >= horizon] = np.nan
    return start, finish


def serve_with_overtime(arrival: np.ndarray, priority: np.ndarray, work: np.ndarray, servers: int,
                        overtime: OvertimeDays) -> tuple[np.ndarray, np.ndarray, float]:
    """:func:`serve_with_overtime_python` compiled (:mod:`sim.engines.compiled_overtime`: the same
    times, minutes and ``overtime`` state to the last bit), or that function itself where numba is
    missing, the trigger is a user's or the inputs are outside what the kernel takes."""
    served = compiled_overtime.serve(arrival, priority, work, servers, overtime)
    if served is None:
        return serve_with_overtime_python(arrival, priority, work, servers, overtime)
    return served


def serve_with_overtime_python(arrival: np.ndarray, priority: np.ndarray, work: np.ndarray, servers: int,
                               overtime: OvertimeDays) -> tuple[np.ndarray, np.ndarray, float]:
    """:func:`serve_in_sessions` for a pool that works overtime on the days its backlog calls for it.

    Work is done day by day: a server works on its item until it is done or the day's work ends
    (the last session, or the extra session :class:`~sim.engines.rules.OvertimeDays` decided at the
    day's first session start), then carries on at the next session. Each day is decided, from the
    records that joined before its first session start and the count started so far, before any
    server starts or continues work at or after that instant. Returns start and finish times (nan
    as in :func:`serve_in_sessions`) and the session minutes worked up to the horizon.

    Why one function: the reference of the compiled kernel (sim.engines.compiled_overtime._serve),
    which mirrors it line for line so that the tests can hold them to the same bits.
    """
    n = len(arrival)
    start, finish = np.full(n, np.nan), np.full(n, np.nan)
    if n == 0 or servers == 0:
        return start, finish, 0.0
    calendar = overtime.calendar
    horizon = calendar.horizon
    session_start, session_end = calendar.session_start, calendar.session_end
    last_end, work_end, n_days = overtime.plan.last_end, overtime.work_end, len(overtime.work_end)
    order = np.argsort(arrival, kind="stable")
    arrivals, items = arrival[order].tolist(), order.tolist()
    priorities, works = priority.tolist(), work.tolist()
    started, finished = [NAN] * n, [NAN] * n
    free = [(0.0, k) for k in range(servers)]  # (when the server next works, server), a heap
    in_hand, left = [-1] * servers, [0.0] * servers  # the item each server works on, and its work left
    waiting: list[tuple[float, int, int]] = []  # (priority, arrival rank, item), a heap
    ranked = n_started = 0
    busy = 0.0
    now = 0.0  # time of the latest start: starts are made in time order

    def joined_before(t: float) -> int:
        return bisect.bisect_left(arrivals, t)

    work_joined, started_work = None, 0.0  # the "work" trigger: work of the first k joined, of those started
    if overtime.plan.counts_work:
        joined_work = np.concatenate([[0.0], np.cumsum(work[order])]).tolist()
        work_joined = joined_work.__getitem__

    while free:
        t, k = heapq.heappop(free)
        if t >= horizon:  # every other server's next work is later still
            break
        i = in_hand[k]
        if i >= 0:  # carries on with its item at the start of a session
            if t >= overtime.next_instant:
                overtime.decide_up_to(t, joined_before, n_started, work_joined, started_work)
            s = bisect.bisect_right(session_start, t) - 1
        else:  # free: takes the next item, as in serve_in_sessions
            if not waiting:
                if ranked == n:
                    continue  # nothing will come for this server; others may still be working
                if arrivals[ranked] > t:
                    t = arrivals[ranked]
            if now > t:
                t = now
            if t >= overtime.next_instant:
                overtime.decide_up_to(t, joined_before, n_started, work_joined, started_work)
            s = bisect.bisect_right(session_start, t) - 1  # the session t is in, or the last before it
            if s < 0 or t >= session_end[s]:  # not in a session: in the day's extra session, or wait
                d = int(t // MINUTES_PER_DAY)
                if not (d < n_days and last_end[d] <= t < work_end[d]):
                    s += 1
                    t = session_start[s]
                    if t >= horizon:
                        continue
                    if t >= overtime.next_instant:
                        overtime.decide_up_to(t, joined_before, n_started, work_joined, started_work)
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
        if s >= 0 and t + w <= session_end[s]:  # done within the session it is in
            done = t + w
            busy += w
        else:
            done, worked = overtime.work_today(t, w)
            busy += worked  # each day's share of the work lies before the horizon or not at all
            if math.isnan(done):  # carries on at the next session
                left[k] = w - worked
                heapq.heappush(free, (overtime.carry_on_at(t), k))
                continue
        finished[i], in_hand[k] = done, -1
        heapq.heappush(free, (done, k))
    overtime.decide_up_to(horizon, joined_before, n_started, work_joined, started_work)
    start[:], finish[:] = started, finished
    finish[finish >= horizon] = np.nan
    return start, finish, busy


def busy_minutes(calendar: WorkCalendar, start: np.ndarray, finish: np.ndarray, work: np.ndarray) -> float:
    """Session minutes worked up to the horizon: finished items in full, the one in hand in part."""
    running = ~np.isnan(start) & np.isnan(finish)
    return worked_up_to(calendar, work[~np.isnan(finish)].sum(), start[running])


def _serve_pools(calendar: WorkCalendar, arrival: np.ndarray, priority: np.ndarray, work: np.ndarray,
                 pool: np.ndarray, servers: tuple[int, ...], members: np.ndarray,
                 per_day: int = 0, overtime: OvertimePlan | None = None) -> tuple[np.ndarray, list[float], list[float]]:
    """Each pool's members through :func:`serve_in_sessions` (or :func:`serve_with_overtime`): finish
    times (nan for non-members and unfinished items), session minutes worked and officer-minutes of
    overtime per pool."""
    finish = np.full(len(arrival), np.nan)
    busy, extra = [], []
    for p, count in enumerate(servers):
        rows = np.flatnonzero(members & (pool == p))
        if overtime is None:
            s, f = serve_in_sessions(arrival[rows], priority[rows], work[rows], count, calendar, per_day)
            busy.append(busy_minutes(calendar, s, f, work[rows]))
            extra.append(0.0)
        else:
            days = OvertimeDays(overtime, count)
            s, f, worked = serve_with_overtime(arrival[rows], priority[rows], work[rows], count, days)
            busy.append(worked)
            extra.append(days.officer_minutes)
        finish[rows] = f
    return finish, busy, extra


def serve_borrowing(calendar: WorkCalendar, arrival: np.ndarray, priority: np.ndarray, work: np.ndarray,
                    pool: np.ndarray, members: np.ndarray, organisation: Organisation) -> tuple[np.ndarray, list[float]]:
    """The staff pools of a unit whose officers help other departments (``staff.borrow``), run
    together: finish times (nan for non-members and unfinished records) and session minutes each
    pool's officers worked, on any department's records.

    An exact queue rule, not a workload approximation: the calls are those of
    :class:`~sim.engines.rules.BorrowingDispatch`, made at every instant in session time after the
    records joining and the officers freed at it (records joining out of session time wait for the
    next session's start), as the reference engine makes them; an officer then works the record's
    minutes in session time (:meth:`WorkCalendar.finish_after`). Pure Python: the pools share
    state at every call, so the per-pool kernels of :mod:`sim.engines.compiled` do not apply.
    """
    n = len(arrival)
    start, finish = np.full(n, np.nan), np.full(n, np.nan)
    served_by = np.full(n, -1, dtype=np.int64)
    rows = np.flatnonzero(members)
    rows = rows[np.argsort(arrival[rows], kind="stable")]  # in the order of joining: the rank of each
    arrivals, rows = arrival[rows].tolist() + [INF], rows.tolist()
    pools, priorities_, works = pool.tolist(), priority.tolist(), work.tolist()
    rule = BorrowingDispatch(organisation.pool_staff, organisation.pool_department, organisation.mechanisms.borrow.share,
                             calendar, works)
    horizon, next_work_start, finish_after = calendar.horizon, calendar.next_work_start, calendar.finish_after
    working: list[tuple[float, int, int]] = []  # (finish, order of starting, officer's pool), a heap
    ranked = started = 0
    wake = INF  # the next session's start, when records wait out of session time
    while True:
        t = min(arrivals[ranked], working[0][0] if working else INF, wake)
        if t >= horizon:
            break
        while arrivals[ranked] <= t:
            i = rows[ranked]
            rule.join(pools[i], priorities_[i], ranked, i)
            ranked += 1
        while working and working[0][0] <= t:
            rule.free(heapq.heappop(working)[2])
        wake = INF
        at = next_work_start(t)
        if at > t:  # out of session time: the calls wait for the session's start
            if rule.waiting():
                wake = at
            continue
        for p, i, _ in rule.dispatch(t):
            done = finish_after(t, works[i])
            start[i], finish[i], served_by[i] = t, done, p
            heapq.heappush(working, (done, started, p))
            started += 1
    finish[finish >= horizon] = np.nan
    return finish, busy_by_pool(calendar, start, finish, work, served_by, len(organisation.pool_staff))


def simulate_unit(workload: Workload, calendar: WorkCalendar, desks: int | Desks, organisation: Organisation,
                  desk_policy: DeskPolicy, back_office: BackOfficePolicy) -> UnitOutcome:
    """Run one unit for one replication up to the calendar's horizon (``desks``: a count for one
    pooled group, or the unit's :class:`~sim.model.scenario.Desks`)."""
    w, horizon = workload, calendar.horizon
    hall = _DeskHall(w, calendar, as_desks(desks), desk_policy)
    hall.run()
    desk = hall.record_fields()
    desk_end = desk["desk_end"]
    receipt = desk_end.copy()
    receipt[w.n_in_person:] = w.arrival[w.n_in_person:]
    received = ~np.isnan(receipt)
    due = np.full(len(w), np.nan)
    arriving = received & ~w.opening
    due[arriving] = calendar.due_times(receipt[arriving], w.deadline_wd[arriving])
    due[w.opening] = w.opening_due[w.opening]  # the opening stock keeps the due time it came with
    done = np.full(len(w), np.nan)
    reviewed = np.full(len(w), np.nan)
    n_pools, n_departments = len(organisation.pool_staff), len(organisation.approvers)

    if back_office.enabled:
        order = back_office.order
        # Every received record joins its staff pool at receipt (the opening stock at time 0, ahead
        # of the period's records), except stock already reviewed, whose wait starts at time 0; its
        # priority is the one it has then (rules.priorities, as in the reference engine).
        overtime = OvertimePlan(calendar, back_office.overtime) if back_office.overtime.enabled else None
        staff_priority, staff_members = priorities(order, receipt, due), received & ~w.opening_reviewed
        if organisation.borrows:  # officers help other departments: the pools run together
            reviewed, staff_busy = serve_borrowing(calendar, receipt, staff_priority, w.effort_minutes, w.pool,
                                                   staff_members, organisation)
            staff_overtime = [0.0] * n_pools
        else:
            reviewed, staff_busy, staff_overtime = _serve_pools(calendar, receipt, staff_priority, w.effort_minutes,
                                                                w.pool, organisation.pool_staff, staff_members,
                                                                overtime=overtime)
        reviewed[w.opening_reviewed] = 0.0
        reviewed_rows = ~np.isnan(reviewed)
        # Missing papers and financial obligations move the due date; they and external steps delay
        # the approval, counted on the same working days as the due date (Saturday sessions do not
        # shorten a wait).
        paused = reviewed_rows & (w.paused_wd > 0)
        due[paused] = calendar.extend_dues(due[paused], w.paused_wd[paused])
        wait = w.lag_minutes[reviewed_rows] + w.paused_wd[reviewed_rows] * calendar.minutes_per_working_day
        to_approver = np.full(len(w), np.nan)
        to_approver[reviewed_rows] = np.where(wait > 0, calendar.wait_ends(reviewed[reviewed_rows], wait),
                                              reviewed[reviewed_rows])
        # each record joins its approvers with the due date its papers moved
        done, approver_busy, _ = _serve_pools(calendar, to_approver, priorities(order, receipt, due), w.approval_minutes,
                                           w.department, organisation.approvers,
                                           to_approver < horizon,  # nan compares False
                                           back_office.approvals_per_day)
    else:
        done[received] = np.maximum(receipt[received], 0.0)  # the opening stock at the start
        staff_busy, approver_busy, staff_overtime = [0.0] * n_pools, [0.0] * n_departments, [0.0] * n_pools

    return UnitOutcome(
        stage=stage_at_horizon(desk["stage"], receipt, done),
        receipt=receipt,
        due=due,
        done=done,
        desk_start=desk["desk_start"],
        desk_end=desk_end,
        desk_wait=desk["desk_wait"],
        desk_wait_closed=desk["desk_wait_closed"], desk_served_by=desk["desk_served_by"],
        abandoned_at=desk["abandoned_at"],
        visit_enter=np.array(hall.visit_enter),
        visit_exit=np.array(hall.visit_exit),
        staff_busy=np.array(staff_busy, dtype=float),
        approver_busy=np.array(approver_busy, dtype=float),
        reviewed=reviewed,
        staff_overtime=np.array(staff_overtime, dtype=float),
        asked_to_return=desk["asked_to_return"],
        return_visits=desk["return_visits"],
        **hall.extra_fields(),
    )
