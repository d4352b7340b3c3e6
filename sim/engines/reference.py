"""The event-driven reference model of one unit, in SimPy: citizens queue at reception desks,
departments process records, heads approve them. No file I/O, no statistics.

It is the model written as processes, the easiest form to read and to extend (a new kind of
event, a resource shared between stages), and the reference :mod:`sim.engines.fast` is tested against:
both give the same outcome for the same workload. Select it with ``engine=simpy``.
Long-lived desk and staff processes pull work from queues (rather than one process per record)
and every random quantity comes pre-drawn in the :class:`~sim.engines.workload.Workload`. The
rules applied at each event that both engines share (the desk line, giving up, closing rules,
queue orders, closing the books) are in :mod:`sim.engines.rules`.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections import deque

import numpy as np
import simpy

from sim.engines.outcome import UnitOutcome
from sim.engines.rules import (BorrowingDispatch, DeskQueue, OvertimeDays, OvertimePlan, as_desks, busy_by_pool,
                               desk_sessions, priorities, stage_at_horizon, worked_up_to)
from sim.engines.workload import Workload
from sim.model.calendar import MINUTES_PER_DAY, WorkCalendar
from sim.model.scenario import BackOfficePolicy, DeskPolicy, Desks
from sim.model.structures import Organisation


class _WorkPool:
    """``servers`` people sharing one priority queue who work only in session time.

    With ``per_day`` > 0 each of them finishes at most that many items a calendar day (a head's
    daily approval capacity) and then waits for the next day's first session. With an
    :class:`~sim.engines.rules.OvertimePlan` they stay for an extra session on the days the
    pool's backlog calls for one (:class:`~sim.engines.rules.OvertimeDays`).
    """

    def __init__(self, env: simpy.Environment, calendar: WorkCalendar, servers: int, work: np.ndarray,
                 priority_of, on_done, per_day: int = 0, overtime: OvertimePlan | None = None):
        self.env, self.calendar, self.work, self.priority_of, self.on_done = env, calendar, work, priority_of, on_done
        self.per_day = per_day
        self.heap: list = []
        self.idle: deque = deque()  # the server idle longest takes the next item
        self.seq = 0
        self.busy = 0.0
        self.started = [None] * servers
        self.overtime = OvertimeDays(overtime, servers) if overtime is not None else None
        self.joined: list[float] = []  # when each item joined, in time order (overtime decisions)
        self.n_started = 0
        counts_work = overtime is not None and overtime.counts_work  # the "work" trigger
        self.joined_work: list[float] | None = [0.0] if counts_work else None  # work of the first k joined
        self.started_work = 0.0
        for k in range(servers):
            env.process(self._serve(k) if self.overtime is None else self._serve_with_overtime())

    def put(self, i: int) -> None:
        """Item ``i`` joins the queue, with the priority it has now (``priority_of(i)``)."""
        heapq.heappush(self.heap, (self.priority_of(i), self.seq, i))
        self.seq += 1
        if self.overtime is not None:
            self.joined.append(self.env.now)
            if self.joined_work is not None:
                self.joined_work.append(self.joined_work[-1] + self.work[i])
        if self.idle:
            self.idle.popleft().succeed()

    def _joined_before(self, t: float) -> int:
        return bisect.bisect_left(self.joined, t)

    def _decide(self, t: float) -> None:
        """Decide the overtime of every day whose first session starts by ``t``."""
        work_joined = self.joined_work.__getitem__ if self.joined_work is not None else None
        self.overtime.decide_up_to(t, self._joined_before, self.n_started, work_joined, self.started_work)

    def _serve_with_overtime(self):
        """One officer's day by day work: every piece of work stops at the end of the day's work (the
        last session, or the extra session when the pool works overtime) and carries on at the next
        session. The officer keeps the exact times it aims at (``now``) rather than the environment's
        clock, which sums delays, so that a day's decision is taken at its first session start."""
        env, heap, overtime = self.env, self.heap, self.overtime
        now = env.now
        while True:
            if not heap:
                wake = env.event()
                self.idle.append(wake)
                yield wake
                now = env.now
                continue
            self._decide(now)
            start = overtime.next_work_start(now)
            if start > now:
                yield env.timeout(start - now)
                now = start
                continue
            i = heapq.heappop(heap)[2]
            self.n_started += 1
            self.started_work += self.work[i]
            left = self.work[i]
            while True:
                self._decide(now)
                done, worked = overtime.work_today(now, left)
                self.busy += worked  # each day's share of the work lies before the horizon or not at all
                if not math.isnan(done):
                    break
                left -= worked
                resume = overtime.carry_on_at(now)
                yield env.timeout(resume - now)
                now = resume
            yield env.timeout(done - now)
            now = done
            self.on_done(i)

    def _serve(self, k: int):
        env, calendar, heap = self.env, self.calendar, self.heap
        day, done_today = -1, 0
        while True:
            if not heap:
                wake = env.event()
                self.idle.append(wake)
                yield wake
                continue
            now = env.now
            start = calendar.next_work_start(now)
            if self.per_day:
                if now // MINUTES_PER_DAY != day:
                    day, done_today = now // MINUTES_PER_DAY, 0
                if done_today >= self.per_day:
                    start = calendar.next_work_start((day + 1) * MINUTES_PER_DAY)
                    if self.idle:  # a colleague who is free takes the waiting work instead
                        self.idle.popleft().succeed()
                done_today += start == now
            if start > now:
                yield env.timeout(start - now)
                continue
            i = heapq.heappop(heap)[2]
            self.started[k] = now
            yield env.timeout(calendar.finish_after(now, self.work[i]) - now)
            self.started[k] = None
            self.busy += self.work[i]
            self.on_done(i)

    def busy_up_to_horizon(self) -> float:
        """Completed work plus the part of work in progress done by the horizon."""
        if self.overtime is not None:  # counted day by day as it is worked
            return self.busy
        return worked_up_to(self.calendar, self.busy, [s for s in self.started if s is not None])

    def overtime_up_to_horizon(self) -> float:
        """Officer-minutes of extra sessions on the days up to the horizon."""
        if self.overtime is None:
            return 0.0
        self._decide(self.calendar.horizon)
        return self.overtime.officer_minutes


class _BorrowingStaff:
    """A unit's staff pools when officers help other departments (``staff.borrow``): one queue per
    pool, and the calls of :class:`~sim.engines.rules.BorrowingDispatch`, made once at each instant
    after everything else that happens at it (a zero delay puts the call behind the events already
    due then). Out of session time the calls wait for the next session's start; an officer works a
    record's minutes in session time and is free at the exact time it aims at."""

    def __init__(self, env: simpy.Environment, calendar: WorkCalendar, organisation: Organisation,
                 work: np.ndarray, priority_of, on_done):
        self.env, self.calendar, self.work, self.priority_of, self.on_done = env, calendar, work, priority_of, on_done
        self.rule = BorrowingDispatch(organisation.pool_staff, organisation.pool_department,
                                      organisation.mechanisms.borrow.share, calendar, work.tolist())
        self.pools = len(organisation.pool_staff)
        self.rank = 0  # order of joining, over every pool
        self.calling = False  # the calls of this instant are due
        self.wake_at = math.inf  # the session start the calls wait for
        n = len(work)
        self.start, self.finish = np.full(n, np.nan), np.full(n, np.nan)
        self.served_by = np.full(n, -1, dtype=np.int64)

    def put(self, pool: int, i: int) -> None:
        """Record ``i`` joins ``pool``'s queue, with the priority it has now."""
        self.rule.join(pool, self.priority_of(i), self.rank, i)
        self.rank += 1
        self._call_soon()

    def _call_soon(self, _event=None) -> None:
        if not self.calling:
            self.calling = True
            self.env.timeout(0).callbacks.append(self._call)

    def _call(self, _event) -> None:
        self.calling = False
        now = self.env.now
        at = self.calendar.next_work_start(now)
        if at > now:
            if self.rule.waiting() and at != self.wake_at:
                self.wake_at = at
                self.env.timeout(at - now).callbacks.append(self._call_soon)
            return
        for p, i, _ in self.rule.dispatch(now):
            done = self.calendar.finish_after(now, self.work[i])
            self.start[i], self.served_by[i] = now, p
            self.env.timeout(done - now).callbacks.append(lambda _event, p=p, i=i, done=done: self._done(p, i, done))

    def _done(self, p: int, i: int, done: float) -> None:
        self.finish[i] = done
        self.rule.free(p)
        self.on_done(i)
        self._call_soon()

    def busy_by_pool(self) -> list[float]:
        """Session minutes each pool's officers worked by the horizon, on any department's records."""
        finish = self.finish.copy()
        finish[finish >= self.calendar.horizon] = np.nan
        return busy_by_pool(self.calendar, self.start, finish, self.work, self.served_by, self.pools)


class _DeskLine(DeskQueue):
    """The reception queues (:class:`~sim.engines.rules.DeskQueue`) in a SimPy environment: each
    idle desk process waits on an event of its group, and whenever the line or the desks change,
    the calls the queue rules make (:meth:`~sim.engines.rules.DeskQueue.dispatch`) wake the desks
    with the citizen to serve."""

    def __init__(self, workload: Workload, calendar: WorkCalendar, policy: DeskPolicy, desks: Desks,
                 env: simpy.Environment):
        super().__init__(workload, calendar, policy, desks)
        self.env = env
        self.idle_desks: list[list] = [[] for _ in self.counts]  # per group, one event per idle desk
        self.idle = [0] * len(self.counts)  # each desk process reports itself free when it starts

    def arrive(self, i: int) -> None:
        self.join(i, self.env.now)
        self.wake_desks()

    def come_back(self, i: int, t: float) -> None:
        self.env.timeout(t - self.env.now).callbacks.append(lambda _event, i=i: self.arrive(i))

    def wait_for_citizen(self, g: int) -> simpy.Event:
        """A desk of group ``g`` is free: the event it waits on, which carries the citizen it calls."""
        wake = self.env.event()
        self.idle_desks[g].append(wake)
        return wake

    def wake_desks(self) -> None:
        for g, i in self.dispatch(self.env.now):
            self.idle_desks[g].pop().succeed(i)


class UnitModel:
    """One unit in one replication. Build it, call :meth:`run`, read the outcome."""

    def __init__(self, workload: Workload, calendar: WorkCalendar, desks: int | Desks, organisation: Organisation,
                 desk_policy: DeskPolicy, back_office: BackOfficePolicy):
        n = len(workload)
        self.w, self.calendar, self.back_office = workload, calendar, back_office
        self.env = env = simpy.Environment()
        self.horizon = calendar.horizon
        desk_plan = as_desks(desks)
        self.hall = _DeskLine(workload, calendar, desk_policy, desk_plan, env)
        share = desk_policy.other_duties_share
        self._back_work = (workload.desk_minutes * (share / (1.0 - share))).tolist() if share > 0 else None
        self.receipt = np.full(n, np.nan)
        self.due = np.full(n, np.nan)
        self.done = np.full(n, np.nan)
        self.reviewed = np.full(n, np.nan)
        # plain lists are faster than numpy arrays for the scalar look-ups in the hot loop
        self._deadline = workload.deadline_wd.tolist()
        self._department = workload.department.tolist()
        self._pool = workload.pool.tolist()
        self._lag = workload.lag_minutes.tolist()
        self._paused = workload.paused_wd.tolist()
        # in-person records, then desk-only visits (sim.engines.visits), as the desk line numbers its citizens
        self._desk_minutes = workload.desk_minutes[: workload.n_in_person].tolist() + (
            [] if workload.visits is None else workload.visits.desk_minutes.tolist())

        overtime = OvertimePlan(calendar, back_office.overtime) if back_office.overtime.enabled else None
        self.borrowing = (_BorrowingStaff(env, calendar, organisation, workload.effort_minutes, self._priority,
                                          self._processed) if organisation.borrows else None)
        self.staff = [
            _WorkPool(env, calendar, s, workload.effort_minutes, self._priority, self._processed, overtime=overtime)
            for s in organisation.pool_staff
        ]
        self.approvers = [
            _WorkPool(env, calendar, a, workload.approval_minutes, self._priority, self._finish,
                      back_office.approvals_per_day)
            for a in organisation.approvers
        ]
        # the desks first: each reports itself free before anything else happens at time 0
        for g, count in enumerate(desk_plan.counts):
            for _ in range(count):
                env.process(self._desk(g))
        self._enter_opening_stock()
        self.hall.start_visits()
        env.process(self._in_person_arrivals())
        env.process(self._remote_arrivals())
        env.process(self._sessions())

    # --- arrivals ----------------------------------------------------------------------------
    def _in_person_arrivals(self):
        env, arrival = self.env, self.w.arrival
        for i in range(self.w.n_in_person):
            t = arrival[i]
            if t > env.now:
                yield env.timeout(t - env.now)
            self.hall.arrive(i)

    def _remote_arrivals(self):
        env, arrival = self.env, self.w.arrival
        for i in range(self.w.n_in_person, self.w.n_arriving):
            t = arrival[i]
            if t > env.now:
                yield env.timeout(t - env.now)
            self._receive(i)

    def _enter_opening_stock(self) -> None:
        """The opening stock at time 0, in order of receipt: received before the period with its
        own due time, each record joins its staff pool or, reviewed already, goes to its remaining
        wait and the approvers."""
        w = self.w
        for i in range(w.n_arriving, len(w)):
            self.receipt[i] = w.arrival[i]
            self.due[i] = w.opening_due[i]
            if not self.back_office.enabled:
                self._finish(i)
            elif w.opening_reviewed[i]:
                self._processed(i)
            else:
                self._to_staff(i)

    # --- reception desks ---------------------------------------------------------------------
    def _desk(self, g: int):
        """One desk of counter group ``g``: wait to be given a citizen, serve them (they are received
        at the end of the service), do the record's back work if officers have other duties, then
        be free again."""
        env, hall = self.env, self.hall
        while True:
            wake = hall.wait_for_citizen(g)
            hall.desk_free(g)
            hall.wake_desks()
            i = yield wake
            yield env.timeout(self._desk_minutes[i])
            hall.desk_end[i] = env.now
            if i < self.w.n_in_person:  # a submission; a desk-only visit is not received and brings no back work
                self._receive(i)
                if self._back_work is not None:
                    yield env.timeout(self._back_work[i])

    def _sessions(self):
        """Open and close the desks; apply the closing rule at the end of each day."""
        env, hall = self.env, self.hall
        for start, end, last_of_day in desk_sessions(self.calendar):
            if start > env.now:
                yield env.timeout(start - env.now)
            hall.open_session(start)
            hall.wake_desks()
            if end >= self.horizon:
                return
            yield env.timeout(end - env.now)
            hall.end_session(end, last_of_day)
            hall.wake_desks()

    # --- back office ---------------------------------------------------------------------------
    def _receive(self, i: int) -> None:
        """Record ``i`` is received now: it goes to its staff pool, and its collection and supplement
        visits are scheduled (from a remote record's exact arrival, which the clock may miss by a rounding)."""
        now = self.env.now
        self.receipt[i] = now
        self.due[i] = self.calendar.due_time(now, self._deadline[i])
        if self.hall.visits is not None:
            self.hall.visits_after_receipt(i, now if i < self.w.n_in_person else float(self.w.arrival[i]))
        if self.back_office.enabled:
            self._to_staff(i)
        else:
            self._finish(i)

    def _to_staff(self, i: int) -> None:
        """Record ``i`` joins its staff pool (all pools' queues at once when officers borrow)."""
        if self.borrowing is not None:
            self.borrowing.put(self._pool[i], i)
        else:
            self.staff[self._pool[i]].put(i)

    def _processed(self, i: int) -> None:
        """After staff review: wait for missing papers and a financial obligation (the deadline moves
        with them) and for external steps (verification, posting), counted on the deadline's working
        days, then go to the department's approvers."""
        self.reviewed[i] = self.env.now
        wait = self._lag[i]
        paused = self._paused[i]
        if paused > 0:
            wait += paused * self.calendar.minutes_per_working_day
            self.due[i] = self.calendar.extend_due(self.due[i], paused)
        approvers = self.approvers[self._department[i]]
        if wait > 0:
            now = self.env.now
            self.env.timeout(self.calendar.wait_end(now, wait) - now).callbacks.append(
                lambda _event, i=i: approvers.put(i)
            )
        else:
            approvers.put(i)

    def _priority(self, i: int) -> float:
        """Record ``i``'s priority as it joins a staff or approver queue now (rules.priorities)."""
        return float(priorities(self.back_office.order, self.receipt[i:i + 1], self.due[i:i + 1])[0])

    def _finish(self, i: int) -> None:
        self.done[i] = self.env.now

    # --- run -------------------------------------------------------------------------------------
    def run(self) -> UnitOutcome:
        self.env.run(until=self.horizon)
        hall = self.hall
        hall.close_books()
        desk = hall.record_fields()
        return UnitOutcome(
            stage=stage_at_horizon(desk["stage"], self.receipt, self.done),
            receipt=self.receipt,
            due=self.due,
            done=self.done,
            desk_start=desk["desk_start"],
            desk_end=desk["desk_end"],
            desk_wait=desk["desk_wait"],
            desk_wait_closed=desk["desk_wait_closed"], desk_served_by=desk["desk_served_by"],
            abandoned_at=desk["abandoned_at"],
            visit_enter=np.array(hall.visit_enter),
            visit_exit=np.array(hall.visit_exit),
            staff_busy=np.array(self.borrowing.busy_by_pool() if self.borrowing is not None
                                else [p.busy_up_to_horizon() for p in self.staff]),
            approver_busy=np.array([p.busy_up_to_horizon() for p in self.approvers]),
            reviewed=self.reviewed,
            staff_overtime=np.array([p.overtime_up_to_horizon() for p in self.staff], dtype=float),
            asked_to_return=desk["asked_to_return"],
            return_visits=desk["return_visits"],
            **hall.extra_fields(),
        )


def simulate_unit(workload: Workload, calendar: WorkCalendar, desks: int | Desks, organisation: Organisation,
                  desk_policy: DeskPolicy, back_office: BackOfficePolicy) -> UnitOutcome:
    """Run one unit for one replication up to the calendar's horizon (``desks``: a count for one
    pooled group, or the unit's :class:`~sim.model.scenario.Desks`)."""
    return UnitModel(workload, calendar, desks, organisation, desk_policy, back_office).run()
