"""The event-driven reference model of one unit, in SimPy: citizens queue at reception desks,
departments process records, heads approve them. No file I/O, no statistics.

It is the model written as processes, the easiest form to read and to extend (a new kind of
event, a resource shared between stages), and the reference :mod:`sim.engines.fast` is tested against:
both give the same outcome for the same workload. Select it with ``engine=simpy``.
Long-lived desk and staff processes pull work from queues (rather than one process per record)
and every random quantity comes pre-drawn in the :class:`~sim.engines.workload.Workload`.
"""

from __future__ import annotations

import heapq
from collections import deque

import numpy as np
import simpy

from sim.model.calendar import MINUTES_PER_DAY, WorkCalendar
from sim.engines.outcome import ABANDONED, AT_DESK, AWAY, BACK_OFFICE, DESK_QUEUE, DONE, UnitOutcome
from sim.model.scenario import BackOfficePolicy, DeskPolicy
from sim.model.structures import Organisation
from sim.engines.workload import Workload


class _WorkPool:
    """``servers`` people sharing one priority queue who work only in session time.

    With ``per_day`` > 0 each of them finishes at most that many items a calendar day (a head's
    daily approval capacity) and then waits for the next day's first session.
    """

    def __init__(self, env: simpy.Environment, calendar: WorkCalendar, servers: int, work: np.ndarray,
                 priority: np.ndarray, on_done, per_day: int = 0):
        self.env, self.calendar, self.work, self.priority, self.on_done = env, calendar, work, priority, on_done
        self.per_day = per_day
        self.heap: list = []
        self.idle: deque = deque()  # the server idle longest takes the next item
        self.seq = 0
        self.busy = 0.0
        self.started = [None] * servers
        for k in range(servers):
            env.process(self._serve(k))

    def put(self, i: int) -> None:
        heapq.heappush(self.heap, (self.priority[i], self.seq, i))
        self.seq += 1
        if self.idle:
            self.idle.popleft().succeed()

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

    def busy_up_to(self, horizon: float) -> float:
        """Completed work plus the part of work in progress done by ``horizon``."""
        running = [s for s in self.started if s is not None]
        if not running:
            return self.busy
        w = self.calendar.working_minutes(np.array([horizon, *running]))
        return self.busy + float(np.sum(w[0] - w[1:]))


class UnitModel:
    """One unit in one replication. Build it, call :meth:`run`, read the outcome."""

    def __init__(self, workload: Workload, calendar: WorkCalendar, desks: int, organisation: Organisation,
                 desk_policy: DeskPolicy, back_office: BackOfficePolicy):
        n = len(workload)
        self.w, self.calendar, self.policy, self.back_office = workload, calendar, desk_policy, back_office
        self.env = env = simpy.Environment()
        self.horizon = calendar.horizon
        self.stage = np.zeros(n, dtype=np.int8)
        self.receipt = np.full(n, np.nan)
        self.due = np.full(n, np.nan)
        self.done = np.full(n, np.nan)
        self.desk_start = np.full(n, np.nan)
        self.desk_end = np.full(n, np.nan)
        self.desk_wait = np.zeros(n)
        self.abandoned_at = np.full(n, np.nan)
        self.entered = np.zeros(n)
        self.gave_up_before = np.zeros(n, dtype=bool)
        self.visit_enter: list[float] = []
        self.visit_exit: list[float] = []
        # plain lists are faster than numpy arrays for the scalar look-ups in the hot loop
        self._deadline = workload.deadline_wd.tolist()
        self._department = workload.department.tolist()
        self._pool = workload.pool.tolist()
        self._lag = workload.lag_minutes.tolist()
        self._supplement = workload.supplement_wd.tolist()
        self._patience = workload.patience_minutes.tolist()
        self._desk_minutes = workload.desk_minutes.tolist()

        self.queue: deque[int] = deque()
        self.idle_desks: list = []
        self.open = False
        self.overtime = False
        self.sent_home: list[int] = []

        priority = self.due if back_office.order == "edf" else self.receipt
        self.staff = [
            _WorkPool(env, calendar, s, workload.effort_minutes, priority, self._processed)
            for s in organisation.pool_staff
        ]
        self.approvers = [
            _WorkPool(env, calendar, a, workload.approval_minutes, priority, self._finish, back_office.approvals_per_day)
            for a in organisation.approvers
        ]
        env.process(self._in_person_arrivals())
        env.process(self._remote_arrivals())
        env.process(self._sessions())
        for _ in range(desks):
            env.process(self._desk())

    # --- arrivals ----------------------------------------------------------------------------
    def _in_person_arrivals(self):
        env, arrival = self.env, self.w.arrival
        for i in range(self.w.n_in_person):
            t = arrival[i]
            if t > env.now:
                yield env.timeout(t - env.now)
            self._join_queue(i)

    def _remote_arrivals(self):
        env, arrival = self.env, self.w.arrival
        for i in range(self.w.n_in_person, len(arrival)):
            t = arrival[i]
            if t > env.now:
                yield env.timeout(t - env.now)
            self._receive(i)

    # --- reception desks ---------------------------------------------------------------------
    def _join_queue(self, i: int) -> None:
        self.stage[i] = DESK_QUEUE
        self.entered[i] = self.env.now
        self.queue.append(i)
        self._wake_desks(1)

    def _wake_desks(self, count: int) -> None:
        if self.open or self.overtime:
            while count > 0 and self.idle_desks:
                self.idle_desks.pop().succeed()
                count -= 1

    def _end_visit(self, i: int, t: float) -> None:
        self.visit_enter.append(self.entered[i])
        self.visit_exit.append(t)
        self.desk_wait[i] += t - self.entered[i]

    def _desk(self):
        env, queue = self.env, self.queue
        while True:
            if queue and (self.open or self.overtime):
                i = queue.popleft()
                now = env.now
                patience = self._patience[i]
                if now - self.entered[i] > patience:
                    self._give_up(i, self.entered[i] + patience)
                    continue
                self._end_visit(i, now)
                self.stage[i] = AT_DESK
                self.desk_start[i] = now
                yield env.timeout(self._desk_minutes[i])
                self.desk_end[i] = env.now
                self._receive(i)
            else:
                wake = env.event()
                self.idle_desks.append(wake)
                yield wake

    def _give_up(self, i: int, t: float) -> None:
        """The citizen left the queue at ``t``; some come back on the next open day, once."""
        self._end_visit(i, t)
        if self.w.returns[i] and not self.gave_up_before[i]:
            self.gave_up_before[i] = True
            self.stage[i] = AWAY
            back = self.calendar.return_time(t, self.w.return_position[i])
            if back < self.horizon:
                self.env.timeout(max(back, self.env.now) - self.env.now).callbacks.append(
                    lambda _event, i=i: self._join_queue(i)
                )
        else:
            self.stage[i] = ABANDONED
            self.abandoned_at[i] = t

    def _sessions(self):
        """Open and close the desks; apply the closing policy at the end of each day."""
        env = self.env
        sessions = self.calendar.sessions_within(0.0, self.horizon)
        for k, (start, end) in enumerate(sessions):
            if start > env.now:
                yield env.timeout(start - env.now)
            self.open, self.overtime = True, False
            for i in reversed(self.sent_home):
                self.stage[i] = DESK_QUEUE
                self.entered[i] = start
                self.queue.appendleft(i)
            self.sent_home.clear()
            self._wake_desks(len(self.queue))
            if end >= self.horizon:
                return
            yield env.timeout(end - env.now)
            self.open = False
            last_of_day = k + 1 == len(sessions) or sessions[k + 1][0] // MINUTES_PER_DAY != start // MINUTES_PER_DAY
            if not last_of_day:
                continue
            if self.policy.closing == "overtime":
                self.overtime = True
                self._wake_desks(len(self.queue))
            else:
                self._send_home()

    def _send_home(self) -> None:
        now = self.env.now
        while self.queue:
            i = self.queue.popleft()
            if now - self.entered[i] > self._patience[i]:
                self._give_up(i, self.entered[i] + self._patience[i])
            else:
                self._end_visit(i, now)
                self.stage[i] = AWAY
                self.sent_home.append(i)

    # --- back office ---------------------------------------------------------------------------
    def _receive(self, i: int) -> None:
        now = self.env.now
        self.receipt[i] = now
        self.due[i] = self.calendar.due_time(now, self._deadline[i])
        if self.back_office.enabled:
            self.stage[i] = BACK_OFFICE
            self.staff[self._pool[i]].put(i)
        else:
            self._finish(i)

    def _processed(self, i: int) -> None:
        """After staff review: wait for missing papers (the deadline moves with it) and for external
        steps (verification, posting), counted on the deadline's working days, then go to the
        department's approvers."""
        wait = self._lag[i]
        supplement = self._supplement[i]
        if supplement > 0:
            wait += supplement * self.calendar.minutes_per_working_day
            self.due[i] = self.calendar.extend_due(self.due[i], supplement)
        approvers = self.approvers[self._department[i]]
        if wait > 0:
            now = self.env.now
            self.env.timeout(self.calendar.wait_end(now, wait) - now).callbacks.append(
                lambda _event, i=i: approvers.put(i)
            )
        else:
            approvers.put(i)

    def _finish(self, i: int) -> None:
        self.done[i] = self.env.now
        self.stage[i] = DONE

    # --- run -------------------------------------------------------------------------------------
    def run(self) -> UnitOutcome:
        self.env.run(until=self.horizon)
        self._close_books()
        return UnitOutcome(
            stage=self.stage,
            receipt=self.receipt,
            due=self.due,
            done=self.done,
            desk_start=self.desk_start,
            desk_end=self.desk_end,
            desk_wait=self.desk_wait,
            abandoned_at=self.abandoned_at,
            visit_enter=np.asarray(self.visit_enter),
            visit_exit=np.asarray(self.visit_exit),
            staff_busy=np.array([p.busy_up_to(self.horizon) for p in self.staff]),
            approver_busy=np.array([p.busy_up_to(self.horizon) for p in self.approvers]),
        )

    def _close_books(self) -> None:
        """Settle citizens still queueing at the horizon: gone if their patience ran out, else waiting."""
        horizon = self.horizon
        while self.queue:
            i = self.queue.popleft()
            if self.entered[i] + self._patience[i] < horizon:
                self._give_up(i, self.entered[i] + self._patience[i])
            else:
                self.visit_enter.append(self.entered[i])
                self.visit_exit.append(horizon)


def simulate_unit(workload: Workload, calendar: WorkCalendar, desks: int, organisation: Organisation,
                  desk_policy: DeskPolicy, back_office: BackOfficePolicy) -> UnitOutcome:
    """Run one unit for one replication up to the calendar's horizon."""
    return UnitModel(workload, calendar, desks, organisation, desk_policy, back_office).run()
