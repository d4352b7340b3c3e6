"""Rules of the model that both engines apply in the same way, written once.

The engines differ only in how they schedule events (a SimPy environment, or a small event loop
and a multi-server recursion); what happens at an event is decided here:

* the reception queue (:class:`DeskQueue`): who a free desk calls, who has given up by then and
  whether they come back, what the desks do when the day's last session ends (the closing
  rules, :data:`CLOSING_RULES`), and who is still queueing at the horizon;
* the order in which staff and approvers take waiting records (:data:`QUEUE_ORDERS`);
* when a department's officers work overtime, and how long the extended day is
  (:class:`OvertimeDays`);
* closing the books at the horizon: each record's stage (:func:`stage_at_horizon`) and the
  session minutes worked on the items in hand (:func:`worked_up_to`).
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from typing import Callable

import numpy as np

from sim.engines.outcome import ABANDONED, AT_DESK, AWAY, BACK_OFFICE, DESK_QUEUE, DONE
from sim.engines.visits import COLLECTION, GUIDANCE, not_before_receipt, visit_time, visit_times
from sim.engines.workload import Workload
from sim.model.calendar import MINUTES_PER_DAY, WorkCalendar
from sim.model.scenario import DeskPolicy, Desks, OvertimePolicy
from sim.registry import Registry

NAN = math.nan


# --- reception desks -----------------------------------------------------------------------------
def desk_sessions(calendar: WorkCalendar) -> list[tuple[float, float, bool]]:
    """(start, end, last session of its day?) of every session that starts before the horizon."""
    sessions = calendar.sessions_within(0.0, calendar.horizon)
    out = []
    for k, (start, end) in enumerate(sessions):
        last_of_day = k + 1 == len(sessions) or sessions[k + 1][0] // MINUTES_PER_DAY != start // MINUTES_PER_DAY
        out.append((start, end, last_of_day))
    return out


def as_desks(desks: int | Desks) -> Desks:
    """An engine's ``desks`` argument as :class:`~sim.model.scenario.Desks` (a count: one pooled group, no cap)."""
    return desks if isinstance(desks, Desks) else Desks((int(desks),))


class DeskQueue:
    """The citizens waiting for one unit's reception desks, the desks free in each counter group,
    and what is recorded about each citizen.

    Each citizen joins the queue of their counter group (``workload.desk_group``; one pooled
    group when the desks are not split), first come first served within it. Whenever something
    changes, the engine asks :meth:`dispatch` which free desks call whom: first every group's free
    desks call from their own queue (groups in order); then a group's desks still free take from
    another group's queue if they may (a general group always, any group under ``take=when_idle``,
    and anyone for a queue that has no desk of its own): the citizen first in line who has waited
    longest, ties to the group listed first. Desks call while a session is open and, after the
    day's last session, as the closing rule says.

    A citizen who has waited longer than their patience has left when a desk calls them; a share
    come back once, the next open day. With a daily intake cap, a land file arriving after the
    day's cap has been issued is asked to come back the next open day (at its drawn position in
    that day), again and again while the cap is reached; each return is a visit whose wait counts.
    Each engine's subclass implements :meth:`come_back` (rejoin at a later time). The per-record
    fields are plain lists, which are faster than numpy arrays for the scalar look-ups of an event loop.

    The citizens are numbered as the in-person records (``0`` to ``c - 1``, ``c`` of them; a record
    received online or by post never comes to the desks), then the desk-only visits
    (``workload.visits``, :mod:`sim.engines.visits`): ``c``, ``c + 1``, ... They queue, give up and
    come back like anyone, but are never received. A guidance visit comes at its drawn time
    (:meth:`start_visits`); a record's collection and supplement visits are scheduled when the
    record is received (:meth:`visits_after_receipt`).
    A citizen may join while no session is open (at the door before opening): they wait in line
    from their arrival and the desks call them when the session opens (their patience may start
    at the opening: ``workload.patience_extra``, their first stay only). Desks serving in overtime
    after the day's last session stop once the line is empty: someone who joins after that waits
    for the next opening. With queue numbers booked in advance served first
    (``policy.booked_first``), each group has a second line for its booked citizens, which its
    desks call before their walk-ins (first in that line: the booked citizen first in it).
    """

    def __init__(self, workload: Workload, calendar: WorkCalendar, policy: DeskPolicy, desks: Desks):
        self.n_records = n = len(workload)
        self.first_visit = c = workload.n_in_person  # the citizen number of the first desk-only visit
        visits = workload.visits
        m = 0 if visits is None else len(visits)
        self.visits = visits
        n_all = c + m  # in-person records, then desk-only visits
        self.calendar, self.horizon = calendar, calendar.horizon
        self.closing = CLOSING_RULES.get(policy.closing)
        self.stage = [0] * n_all  # a list: faster than a numpy array for one element at a time
        self.desk_start = [NAN] * n_all
        self.desk_end = [NAN] * n_all
        self.desk_wait = [0.0] * n_all  # all stays in the queue together
        self.served_by = [-1] * n_all  # the counter group whose desk served each citizen (-1: none)
        self.abandoned_at = [NAN] * n_all
        self.entered = [0.0] * n_all  # when the current stay in the queue began
        self.gave_up_before = [False] * n_all
        self.visit_enter: list[float] = []  # one entry per stay in the queue
        self.visit_exit: list[float] = []
        self.patience = workload.patience_minutes[:c].tolist()
        # a door arrival's first stay may have more patience (workload.patience_extra); a later
        # stay (after giving up, being asked back or sent home) has the drawn patience
        self.later_patience = None
        if workload.patience_extra[:c].any():
            self.later_patience = self.patience
            self.patience = (workload.patience_minutes[:c] + workload.patience_extra[:c]).tolist()
        self.returns = workload.returns[:c].tolist()
        self.return_position = workload.return_position[:c].tolist()
        self.group = workload.desk_group[:c].tolist()
        # each record's desk-only visits (citizen numbers), and what schedules them at its receipt:
        # record i's are _visit_ids[_visits_from[i]:_visits_from[i + 1]], in visit order
        self._visits_from: list[int] = [0] * (n + 1)
        self.brings_visits = [False] * n  # per record: has a collection or supplement visit
        self._visit_ids: list[int] = []
        self.extra_arrival = [NAN] * m
        if m:
            self.patience += visits.patience_minutes.tolist()
            if self.later_patience is not None:  # desk-only visits do not come before opening
                self.later_patience = self.later_patience + visits.patience_minutes.tolist()
            self.returns += visits.returns.tolist()
            self.return_position += visits.return_position.tolist()
            self.group += visits.desk_group.tolist()
            owned = np.flatnonzero(visits.record >= 0)
            owner = visits.record[owned]
            per_record = np.bincount(owner, minlength=n)
            self._visits_from = np.concatenate([[0], np.cumsum(per_record)]).tolist()
            self.brings_visits = (per_record > 0).tolist()
            self._visit_ids = (c + owned[np.argsort(owner, kind="stable")]).tolist()
            self._deadline = workload.deadline_wd.tolist()
            self._paused = workload.paused_wd.tolist()
            self._deadline_array, self._paused_array = workload.deadline_wd, workload.paused_wd
            self._visit_kind, self._visit_days = visits.kind.tolist(), visits.days.tolist()
            self._visit_position = visits.position.tolist()
            self._arrival_day, self._collect_at = self._collections_if_received_on_arrival_day(workload)
        self.counts = tuple(desks.counts)
        self.idle = list(self.counts)  # free desks per group
        self.queues: list[deque[int]] = [deque() for _ in self.counts]
        self.queue = self.queues[0]  # the only queue when the desks are pooled
        self.pooled = len(self.counts) == 1
        # may_take[g]: the other groups whose queue a free desk of group g may take from
        when_idle = policy.take == "when_idle"
        self.may_take = [[h for h in range(len(self.counts)) if h != g and
                          (when_idle or policy.general[g] or self.counts[h] == 0)] for g in range(len(self.counts))]
        # takers_of[g]: the groups whose desks may call someone of g's line (g first among them in group order)
        self.takers_of = [[h for h in range(len(self.counts)) if h == g or g in self.may_take[h]]
                          for g in range(len(self.counts))]
        self.capped = workload.intake_capped[:c].tolist() + [False] * m
        self.intake_per_day = desks.intake_per_day
        self.issued: dict[int, int] = {}  # intake-capped numbers issued per calendar day
        self.asked_to_return = [0] * n_all  # times each citizen was asked to come back (intake cap)
        self.return_visits = [0] * n_all  # times each came back after being asked
        self.asked_pending = [False] * n_all
        self.sent_home: list[int] = []  # sent home at closing: first in line at the next opening
        # booked citizens' lines, one per group, called before the walk-ins (booked_first only)
        self.booked_first = bool(policy.booked_first and workload.booked[:c].any())
        self.booked = workload.booked[:c].tolist() + [False] * m if self.booked_first else []  # visits book nothing
        self.booked_lanes: list[deque[int]] = [deque() for _ in self.counts] if self.booked_first else []
        self.open = False  # a session is open
        self.overtime = False  # the day's sessions are over but the desks still serve
        # Time in line while the desks do not serve (at the door before opening, over the lunch
        # break): each citizen's minutes of it over all stays, the closed spells so far (start, end)
        # and the start of the current one (None while the desks serve). With
        # ``policy.wait_counts_closed`` false, these minutes are left out of ``desk_wait``.
        self.closed_wait = [0.0] * n_all
        self.closed_spells: list[tuple[float, float]] = []
        self.closed_since: float | None = 0.0
        self.serving_since = -math.inf  # the end of the last closed spell (when the desks last began to serve)
        self.wait_counts_closed = policy.wait_counts_closed

    def come_back(self, i: int, t: float) -> None:
        """Make citizen ``i``, who gave up or was asked to return, rejoin the line at ``t`` (before the horizon)."""
        raise NotImplementedError

    def come_back_all(self, citizens: list[int], times: list[float]) -> None:
        """:meth:`come_back` for many citizens at once (an engine may schedule them in bulk)."""
        for i, t in zip(citizens, times):
            self.come_back(i, t)

    def _schedule_visits(self, ks: np.ndarray, t: np.ndarray) -> None:
        """Desk-only visits ``ks`` (visit numbers) come at ``t``, those before the horizon."""
        keep = t < self.horizon
        ks, t = ks[keep].tolist(), t[keep].tolist()
        for k, tk in zip(ks, t):
            self.extra_arrival[k] = tk
        self.come_back_all([self.first_visit + k for k in ks], t)

    def start_visits(self) -> None:
        """Schedule every guidance visit at its drawn time (the engine calls this once, at time 0)."""
        if self.visits is None:
            return
        ks = np.flatnonzero(self.visits.kind == GUIDANCE)
        self._schedule_visits(ks, self.visits.arrival[ks])

    def _collections_if_received_on_arrival_day(self, workload: Workload) -> tuple[list[float], list[float]]:
        """Each in-person record's arrival day (-1: none) and each collection visit's time before
        :func:`~sim.engines.visits.not_before_receipt` (nan: not computed), both for a record received
        on the day it arrives, before close of business: the usual case, in which the due day, and so
        the collection day, is known from the start. Computed for all at once here (vectorised, the
        same times to the last bit), so that :meth:`visits_after_receipt` only looks them up.
        A same-day procedure's due day also depends on the cut-off hour: left to the scalar."""
        calendar, visits, n = self.calendar, workload.visits, len(workload)
        arrival_day, collect_at = np.full(n, -1.0), np.full(len(visits), np.nan)
        ks = np.flatnonzero((visits.kind == COLLECTION) & (visits.record >= 0))
        i = visits.record[ks]
        keep = (i < workload.n_in_person) & (workload.deadline_wd[i] > 0) & (workload.arrival[i] >= 0)
        ks, i = ks[keep], i[keep]
        day = workload.arrival[i] // MINUTES_PER_DAY
        due = calendar.extend_dues(calendar.due_times(day * MINUTES_PER_DAY, workload.deadline_wd[i]),
                                   workload.paused_wd[i])
        collect_at[ks] = calendar.open_days_at(due, visits.days[ks].astype(np.int64), visits.position[ks])
        arrival_day[i] = day
        return arrival_day.tolist(), collect_at.tolist()

    def visits_after_receipt(self, i: int, receipt: float) -> None:
        """Record ``i`` is received at ``receipt`` (before the horizon): schedule its collection and
        supplement visits (:func:`~sim.engines.visits.visit_time`), those before the horizon."""
        first, end = self._visits_from[i], self._visits_from[i + 1]
        if first == end:
            return
        calendar, c = self.calendar, self.first_visit
        day = receipt // MINUTES_PER_DAY
        on_arrival_day = day == self._arrival_day[i] and receipt - day * MINUTES_PER_DAY < calendar.business_close
        due = math.nan if on_arrival_day else calendar.extend_due(calendar.due_time(receipt, self._deadline[i]),
                                                                  self._paused[i])
        for j in self._visit_ids[first:end]:
            k = j - c
            if on_arrival_day and self._visit_kind[k] == COLLECTION:  # known from the start
                t = not_before_receipt(calendar, self._collect_at[k], receipt, self._visit_position[k])
            else:
                t = visit_time(calendar, self._visit_kind[k], receipt, due, self._visit_days[k],
                               self._visit_position[k])
            if t < self.horizon:
                self.extra_arrival[k] = t
                self.come_back(j, t)

    def visits_after_receipts(self, records: np.ndarray, receipts: np.ndarray) -> None:
        """:meth:`visits_after_receipt` for many records at once (vectorised, the same times): the
        fast engine's records received on arrival (online, by post)."""
        if self.visits is None or not len(records):
            return
        calendar, n, visits = self.calendar, self.n_records, self.visits
        receipt_of = np.full(n, np.nan)
        receipt_of[records] = receipts
        ks = np.flatnonzero(visits.record >= 0)
        ks = ks[~np.isnan(receipt_of[visits.record[ks]])]
        i = visits.record[ks]
        receipt = receipt_of[i]
        due = calendar.extend_dues(calendar.due_times(receipt, self._deadline_array[i]), self._paused_array[i])
        self._schedule_visits(ks, visit_times(calendar, visits.kind[ks], receipt, due, visits.days[ks], visits.position[ks]))

    def record_fields(self) -> dict[str, np.ndarray]:
        """The desk's per-record outcome arrays: the in-person records' part of each citizen list,
        and for the records received remotely what a record never at the desks has."""
        c, n = self.first_visit, self.n_records

        def per_record(values: list, empty: float, dtype: type = float) -> np.ndarray:
            out = np.full(n, empty, dtype=dtype)
            out[:c] = values[:c]
            return out

        return {"desk_start": per_record(self.desk_start, NAN), "desk_end": per_record(self.desk_end, NAN),
                "desk_wait": per_record(self.desk_wait, 0.0), "desk_wait_closed": per_record(self.closed_wait, 0.0),
                "desk_served_by": per_record(self.served_by, -1, np.int8),
                "abandoned_at": per_record(self.abandoned_at, NAN),
                "asked_to_return": per_record(self.asked_to_return, 0, np.int64),
                "return_visits": per_record(self.return_visits, 0, np.int64),
                "stage": per_record(self.stage, 0, np.int8)}

    def extra_fields(self) -> dict[str, np.ndarray]:
        """The outcome's ``extra_*`` arrays: what happened to each desk-only visit."""
        c = self.first_visit
        kind = self.visits.kind.copy() if self.visits is not None else np.zeros(0, dtype=np.int8)
        return {"extra_kind": kind, "extra_arrival": np.array(self.extra_arrival, dtype=float),
                "extra_desk_start": np.array(self.desk_start[c:], dtype=float),
                "extra_desk_end": np.array(self.desk_end[c:], dtype=float),
                "extra_desk_wait": np.array(self.desk_wait[c:], dtype=float),
                "extra_desk_wait_closed": np.array(self.closed_wait[c:], dtype=float),
                "extra_desk_served_by": np.array(self.served_by[c:], dtype=np.int8),
                "extra_abandoned_at": np.array(self.abandoned_at[c:], dtype=float)}

    def waiting(self) -> int:
        """Citizens in the queues (some may have given up already)."""
        return sum(len(q) for q in self.queues) + sum(len(q) for q in self.booked_lanes)

    def lane_of(self, i: int) -> deque[int]:
        """The line citizen ``i`` stands in: their group's, or its booked line."""
        if self.booked_first and self.booked[i]:
            return self.booked_lanes[self.group[i]]
        return self.queues[self.group[i]]

    def join(self, i: int, now: float) -> None:
        if self.capped[i]:  # only the intake cap asks anyone to come back
            if self.asked_pending[i]:
                self.asked_pending[i] = False
                self.return_visits[i] += 1
            day = int(now // MINUTES_PER_DAY)
            issued = self.issued.get(day, 0)
            if issued >= self.intake_per_day:
                self.ask_to_return(i, now)
                return
            self.issued[day] = issued + 1
        if self.overtime and not self.open and not (any(self.queues) or any(self.booked_lanes)):
            self.overtime = False  # the line emptied: the desks' day is over until the next opening
            self.closed_since = now
        self.stage[i] = DESK_QUEUE
        self.entered[i] = now
        if self.booked_first and self.booked[i]:  # lane_of, inline
            self.booked_lanes[self.group[i]].append(i)
        else:
            self.queues[self.group[i]].append(i)

    def ask_to_return(self, i: int, now: float) -> None:
        """The day's intake is full: the citizen's visit ends at once and they come back the next
        open day, at their drawn position in its open minutes."""
        self.visit_enter.append(now)
        self.visit_exit.append(now)
        self.asked_to_return[i] += 1
        if self.later_patience is not None:
            self.patience[i] = self.later_patience[i]
        self.stage[i] = AWAY
        back = self.calendar.return_time(now, self.return_position[i])
        if back < self.horizon:
            self.asked_pending[i] = True
            self.come_back(i, back)

    def open_session(self, now: float) -> None:
        """A session opens; those sent home at the last closing stand first in their queues, in their order."""
        self.open, self.overtime = True, False
        if self.closed_since is not None:
            self.closed_spells.append((self.closed_since, now))
            self.closed_since = None
            self.serving_since = now
        for i in reversed(self.sent_home):
            self.stage[i] = DESK_QUEUE
            self.entered[i] = now
            self.lane_of(i).appendleft(i)
        self.sent_home.clear()

    def end_session(self, now: float, last_of_day: bool) -> None:
        """A session ends; after the day's last one the closing rule decides what the desks do."""
        self.open = False
        if last_of_day:
            self.overtime = self.closing(self, now)
        if not self.overtime:
            self.closed_since = now

    def dispatch(self, now: float, callers: list[int] | None = None) -> list[tuple[int, int]]:
        """The (desk group, citizen) pairs free desks call at ``now``, in order; each call takes a
        free desk of the group (the engine gives it back with :meth:`desk_free`). None if the desks
        are not serving.

        ``callers`` (in group order; None: every group) limits the groups whose desks are asked.
        After one citizen joins group g's line, only :attr:`takers_of` ``[g]`` can call; after a
        desk of g frees, only g: every other group was settled by the previous dispatch (a group
        with a free desk has nobody it may take), so asking it would change nothing.
        """
        calls: list[tuple[int, int]] = []
        if not (self.open or self.overtime):
            return calls
        idle, queues, booked = self.idle, self.queues, self.booked_lanes
        groups = range(len(queues)) if callers is None else callers
        for g in groups:
            queue = queues[g]
            while idle[g] and (queue or (booked and booked[g])):
                i = self.call_next(now, g)
                if i < 0:
                    break
                calls.append((g, i))
                self.served_by[i] = g
                idle[g] -= 1
        if not self.pooled:  # free desks take from another group's line while anyone is left in one
            for g in groups:
                while idle[g] and (any(queues) or any(booked)):
                    h = self._longest_waiting(now, self.may_take[g])
                    if h < 0:
                        break
                    i = self.call_next(now, h)
                    calls.append((g, i))
                    self.served_by[i] = g
                    idle[g] -= 1
        return calls

    def desk_free(self, g: int) -> None:
        """A desk of group ``g`` is free again."""
        self.idle[g] += 1

    def _longest_waiting(self, now: float, groups: list[int]) -> int:
        """Of ``groups``, the one whose first in line (still there at ``now``) has waited longest; -1 if none."""
        best, best_entered = -1, math.inf
        queues, entered, patience = self.queues, self.entered, self.patience
        for h in groups:
            queue = queues[h]
            while queue and now - entered[queue[0]] > patience[queue[0]]:
                i = queue.popleft()
                self.give_up(i, entered[i] + patience[i], now)
            if self.booked_first:  # the booked line's first stands first in the group
                lane = self.booked_lanes[h]
                while lane and now - entered[lane[0]] > patience[lane[0]]:
                    i = lane.popleft()
                    self.give_up(i, entered[i] + patience[i], now)
                if lane:
                    queue = lane
            if queue and entered[queue[0]] < best_entered:
                best, best_entered = h, entered[queue[0]]
        return best

    def call_next(self, now: float, group: int = 0) -> int:
        """The citizen first in ``group``'s queue whom a desk serves from ``now``, or -1 if nobody is left in it.

        Those whose patience ran out before ``now`` have left (see :meth:`give_up`). With booked
        citizens served first, the group's booked line is called before its walk-ins.
        """
        if self.booked_first:
            i = self._call_from(now, self.booked_lanes[group])
            if i >= 0:
                return i
        return self._call_from(now, self.queues[group])

    def _call_from(self, now: float, queue: deque[int]) -> int:
        """The first citizen of ``queue`` still there at ``now``, now at a desk; -1 if none."""
        entered, patience = self.entered, self.patience
        while queue:
            i = queue.popleft()
            since = entered[i]
            if now - since > patience[i]:
                self.give_up(i, since + patience[i], now)
                continue
            if self.closed_since is None and since >= self.serving_since:  # _end_stay's usual case, inline
                self.visit_enter.append(since)
                self.visit_exit.append(now)
                self.desk_wait[i] += now - since
            else:
                self._end_stay(i, now)
            self.stage[i] = AT_DESK
            self.desk_start[i] = now
            return i
        return -1

    def send_home(self, now: float) -> None:
        """Everybody in line goes home and comes back at the next opening; those whose patience had
        run out already have given up."""
        entered, patience = self.entered, self.patience
        for queue in (*self.queues, *self.booked_lanes):
            while queue:
                i = queue.popleft()
                if now - entered[i] > patience[i]:
                    self.give_up(i, entered[i] + patience[i], now)
                else:
                    self._end_stay(i, now)
                    self.stage[i] = AWAY
                    self.sent_home.append(i)
                    if self.later_patience is not None:
                        self.patience[i] = self.later_patience[i]

    def give_up(self, i: int, t: float, now: float) -> None:
        """The citizen left the line at ``t`` (noticed at ``now``); with their return probability
        they come back once, on the next open day, else they have abandoned for good."""
        self._end_stay(i, t)
        if self.later_patience is not None:
            self.patience[i] = self.later_patience[i]
        if self.returns[i] and not self.gave_up_before[i]:
            self.gave_up_before[i] = True
            self.stage[i] = AWAY
            back = self.calendar.return_time(t, self.return_position[i])
            if back < self.horizon:
                self.come_back(i, max(back, now))
        else:
            self.stage[i] = ABANDONED
            self.abandoned_at[i] = t

    def close_books(self) -> None:
        """Settle those still in line at the horizon: gone if their patience ran out, else waiting."""
        horizon, entered, patience = self.horizon, self.entered, self.patience
        for queue in (*self.queues, *self.booked_lanes):
            while queue:
                i = queue.popleft()
                if entered[i] + patience[i] < horizon:
                    self.give_up(i, entered[i] + patience[i], horizon)
                else:
                    self.visit_enter.append(entered[i])
                    self.visit_exit.append(horizon)

    def _end_stay(self, i: int, t: float) -> None:
        entered = self.entered[i]
        self.visit_enter.append(entered)
        self.visit_exit.append(t)
        if self.closed_since is None and entered >= self.serving_since:
            self.desk_wait[i] += t - entered  # the usual case: the desks served all through the stay
            return
        closed = self.closed_minutes(entered, t)
        self.closed_wait[i] += closed
        self.desk_wait[i] += t - entered if self.wait_counts_closed else t - entered - closed

    def closed_minutes(self, a: float, b: float) -> float:
        """Minutes of [a, b] in which the desks did not serve (a closed spell so far, or the current one)."""
        spells = self.closed_spells
        if self.closed_since is None and a >= self.serving_since:
            return 0.0  # the usual case: the stay began after the last closed spell, desks serving
        total = max(0.0, b - max(a, self.closed_since)) if self.closed_since is not None else 0.0
        k = len(spells) - 1
        while k >= 0 and spells[k][1] > a:
            start, end = spells[k]
            total += max(0.0, min(end, b) - max(start, a))
            k -= 1
        return total


# What the desks do when the day's last session ends (``desks.closing``): each rule acts on the
# queue and says whether the desks keep serving.
CLOSING_RULES: Registry[Callable[[DeskQueue, float], bool]] = Registry("closing rule")


@CLOSING_RULES.register("overtime")
def serve_in_overtime(queue: DeskQueue, now: float) -> bool:
    """Those waiting at closing are served: the desks work on until the line is empty."""
    return True


@CLOSING_RULES.register("return_next_day")
def send_home_until_next_opening(queue: DeskQueue, now: float) -> bool:
    """Those waiting at closing come back first thing at the next opening, ahead of new arrivals."""
    queue.send_home(now)
    return False


# --- back office -----------------------------------------------------------------------------------
# The order in which staff and approvers take waiting records (``staff.order``): each maps the
# records' receipt and current due times (arrays, one entry per record) to their priorities
# (smallest first; ties by arrival), each record's from its own values alone. Engines never call an
# order directly: they call :func:`priorities` as records join a queue, so a registered order runs
# the same way in every engine.
QUEUE_ORDERS: Registry[Callable[[np.ndarray, np.ndarray], np.ndarray]] = Registry("queue order")


@QUEUE_ORDERS.register("fifo")
def first_received_first(receipt: np.ndarray, due: np.ndarray) -> np.ndarray:
    """First come, first served: by the time the record was received."""
    return receipt


@QUEUE_ORDERS.register("edf")
def earliest_deadline_first(receipt: np.ndarray, due: np.ndarray) -> np.ndarray:
    """Earliest deadline first: by the (current) due time."""
    return due


def priorities(order: str, receipt: np.ndarray, due: np.ndarray) -> np.ndarray:
    """The priorities under queue order ``order`` of records joining a queue, from their receipt and
    their due times as they are when they join (a due date moved by missing papers counts from the
    approvers' queue on). The order gets copies, so what it returns is fixed when the records join,
    whether it is one of its arguments, a new array or a number for all."""
    receipt, due = np.array(receipt, dtype=float), np.array(due, dtype=float)  # copies
    value = np.asarray(QUEUE_ORDERS.get(order)(receipt, due), dtype=float)
    return np.array(np.broadcast_to(value, receipt.shape), dtype=float)


# --- overtime -------------------------------------------------------------------------------------
class OvertimePlan:
    """The days on which a staff pool may work overtime, laid out once per calendar and policy.

    For each simulated day with sessions: its first session start (the instant the day's decision
    is taken), its last session end (where an extra session would begin), the session minutes
    worked by that end, and whether overtime may happen that day: on working days (those deadlines
    count, make-up days included) and, with ``saturdays``, after Saturday's sessions too.
    """

    def __init__(self, calendar: WorkCalendar, policy: OvertimePolicy):
        self.calendar, self.policy = calendar, policy
        days = calendar.days
        self.last_end = [NAN] * days
        self.worked_by_last_end = [NAN] * days
        self.instants: list[float] = []  # first session start of each day that may carry overtime ...
        self.decision_days: list[int] = []  # ... and its day
        self.week: list[int] = []  # ... and its week (Monday to Sunday), for a weekly limit
        self.day_minutes: list[float] = []  # ... and its session minutes
        first_weekday = calendar.start.weekday()
        for start, end in calendar.sessions_within(0.0, calendar.horizon):
            d = int(start // MINUTES_PER_DAY)
            first_of_day = math.isnan(self.last_end[d])
            if first_of_day and (calendar.is_working_day[d] or policy.saturdays):
                self.instants.append(start)
                self.decision_days.append(d)
                self.week.append((d + first_weekday) // 7)
            self.last_end[d] = end
            self.worked_by_last_end[d] = calendar.minutes_worked_by(end)
        self.day_minutes = [self.worked_by_last_end[d] - calendar.minutes_worked_by(start)
                            for start, d in zip(self.instants, self.decision_days)]
        self.counts_work = policy.trigger == "work"  # engines then pass the waiting work too


# What calls for an extra session (``staff.overtime.trigger``): each is given the records waiting
# at the day's first session start, their work minutes (effort, other duties included), the pool's
# officers, the policy and the day's session minutes, and says whether the pool stays late.
OVERTIME_TRIGGERS: Registry[Callable[[int, float, int, OvertimePolicy, float], bool]] = Registry("overtime trigger")


@OVERTIME_TRIGGERS.register("records")
def records_waiting(backlog: int, work: float, servers: int, policy: OvertimePolicy, day_minutes: float) -> bool:
    """More than ``threshold_records_per_officer`` records wait per officer."""
    return backlog > policy.threshold_records_per_officer * servers


@OVERTIME_TRIGGERS.register("work")
def work_exceeds_the_day(backlog: int, work: float, servers: int, policy: OvertimePolicy, day_minutes: float) -> bool:
    """The waiting work per officer is more than ``threshold_days`` of the day's session minutes:
    the day's work exceeds the day."""
    return work > policy.threshold_days * day_minutes * servers


def overtime_minutes(backlog: int, servers: int, policy: OvertimePolicy, used_this_week: float,
                     work: float = 0.0, day_minutes: float = 0.0) -> float:
    """Minutes each officer of a pool works after the day's last session: the whole extra session
    (``policy.minutes_per_day``) when the policy's trigger calls for it (:data:`OVERTIME_TRIGGERS`;
    ``backlog`` records of ``work`` minutes wait, the day has ``day_minutes`` of sessions), within
    what the weekly limit leaves; else none."""
    if not OVERTIME_TRIGGERS.get(policy.trigger)(backlog, work, servers, policy, day_minutes):
        return 0.0
    if policy.max_minutes_per_week > 0:
        return max(0.0, min(policy.minutes_per_day, policy.max_minutes_per_week - used_this_week))
    return policy.minutes_per_day


class OvertimeDays:
    """One staff pool's working days with their overtime, decided day by day as the engine's clock
    passes each day's first session start.

    The decision for a day is taken at that instant, from the records that joined the pool strictly
    before it and had not been started strictly before it (:func:`overtime_minutes`). An engine calls
    :meth:`decide_up_to` with its clock before it starts or continues any work, so the count of
    records started it passes is always the count started before each instant decided. A decided
    extra session follows the day's last session directly, so the day's work simply ends later
    (:attr:`work_end`); every officer of the pool stays for it, and :attr:`officer_minutes` adds it up.
    """

    def __init__(self, plan: OvertimePlan, servers: int):
        self.plan, self.servers, self.calendar = plan, servers, plan.calendar
        self.work_end = list(plan.last_end)  # per day: when the day's work ends, extra session included
        self.decided = 0  # plan.instants[:decided] are decided
        self.next_instant = plan.instants[0] if plan.instants else math.inf  # the first undecided one
        self.used_by_week: dict[int, float] = {}
        self.officer_minutes = 0.0

    def decide_up_to(self, t: float, joined_before: Callable[[float], int], started: int,
                     work_joined: Callable[[int], float] | None = None, started_work: float = 0.0) -> None:
        """Decide every day whose first session starts at or before ``t``; ``joined_before(instant)``
        counts the records that joined the pool before ``instant``, ``started`` those started so far.
        With the "work" trigger (:attr:`OvertimePlan.counts_work`), ``work_joined(k)`` is the work of
        the first k records joined and ``started_work`` that of the records started so far."""
        plan = self.plan
        while self.decided < len(plan.instants) and plan.instants[self.decided] <= t:
            k = self.decided
            self.decided += 1
            week = plan.week[k]
            used = self.used_by_week.get(week, 0.0)
            joined = joined_before(plan.instants[k])
            work = work_joined(joined) - started_work if work_joined is not None else 0.0
            extra = overtime_minutes(joined - started, self.servers, plan.policy, used, work, plan.day_minutes[k])
            if extra > 0:
                d = plan.decision_days[k]
                self.work_end[d] += extra
                self.used_by_week[week] = used + extra
                self.officer_minutes += extra * self.servers
        self.next_instant = plan.instants[self.decided] if self.decided < len(plan.instants) else math.inf

    def next_work_start(self, t: float) -> float:
        """``t`` itself if the pool works then (a session or a decided extra session), else the start of
        the next session. The day of ``t`` must be decided if its first session has started."""
        d = int(t // MINUTES_PER_DAY)
        if d < len(self.work_end) and self.plan.last_end[d] <= t < self.work_end[d]:
            return t
        return self.calendar.next_work_start(t)

    def work_today(self, t: float, work: float) -> tuple[float, float]:
        """Work ``work`` minutes from ``t`` (a time the pool works, on a decided day) until done or until
        the day's work ends: (when the work is done, or nan if it carries on the next session; the
        minutes worked today)."""
        plan, d = self.plan, int(t // MINUTES_PER_DAY)
        last_end, work_end = plan.last_end[d], self.work_end[d]
        if t < last_end:
            regular = plan.worked_by_last_end[d] - self.calendar.minutes_worked_by(t)
            if work <= regular:
                return self.calendar.finish_after(t, work), work
            extra = work - regular
            room = work_end - last_end
            if extra <= room:
                return last_end + extra, work
            return NAN, regular + room
        room = work_end - t
        if work <= room:
            return t + work, work
        return NAN, room

    def carry_on_at(self, t: float) -> float:
        """When work not finished on the day of ``t`` carries on: the next session after the day's work."""
        return self.calendar.next_work_start(self.work_end[int(t // MINUTES_PER_DAY)])


# --- closing the books -------------------------------------------------------------------------
def stage_at_horizon(desk_stage: np.ndarray, receipt: np.ndarray, done: np.ndarray) -> np.ndarray:
    """Each record's stage at the horizon, from the desk queue's stages: a received record is in the
    back office until its result is signed (``done``), then done. Modifies and returns ``desk_stage``."""
    desk_stage[~np.isnan(receipt)] = BACK_OFFICE
    desk_stage[~np.isnan(done)] = DONE
    return desk_stage


def worked_up_to(calendar: WorkCalendar, finished_work: float, running_since: list[float] | np.ndarray) -> float:
    """Session minutes a pool worked by the horizon: the work of the items it finished, plus the
    part done of the items in hand (started at ``running_since``)."""
    if len(running_since) == 0:
        return float(finished_work)
    worked = calendar.working_minutes(np.concatenate([[calendar.horizon], running_since]))
    return float(finished_work + (worked[0] - worked[1:]).sum())


# --- borrowing between departments (staff.borrow) -------------------------------------------------
class BorrowingDispatch:
    """Who takes which record in a unit's staff pools when officers help other departments
    (``staff.borrow``, :class:`sim.model.departments.Borrow`): the one rule both engines call.

    Each pool keeps a queue ordered by (priority, rank): the priority a record has as it joins
    (:func:`priorities`) and its rank in the order of joining over all the unit's pools, so two
    pools' records compare as one queue's would. At an instant in session time, after every record
    joining and every officer freed at that instant, :meth:`dispatch` makes the calls: first each
    pool's free officers take their own pool's records; then, pool by pool in order, free officers
    whose pool has nothing waiting take the first record waiting in any pool of another department,
    while the pool's minutes of other departments' work started that calendar day are below
    ``share`` x its officers x the session minutes of the day so far (the work counted in full when
    started: the day's lending may pass its allowance by the last record taken). An officer never
    lends while a record of its own pool waits; a record waits for its own officers before anyone
    else's only if one of them is free at that instant (else a lender may take it).
    """

    def __init__(self, servers: tuple[int, ...], departments: tuple[int, ...], share: float,
                 calendar: WorkCalendar, work: list[float]):
        n = len(servers)
        self.queues: list[list[tuple[float, int, int]]] = [[] for _ in range(n)]
        self.idle = list(servers)
        self.allowance = [share * s for s in servers]  # officer-minutes a pool may lend per session minute
        self.lent = [0.0] * n  # minutes of other departments' work each pool started today
        self.others = [[q for q in range(n) if departments[q] != departments[p]] for p in range(n)]
        self.calendar, self.work = calendar, work
        self.day, self.worked_before_today = -1, 0.0

    def join(self, pool: int, priority: float, rank: int, i: int) -> None:
        """Record ``i`` joins ``pool``'s queue."""
        heapq.heappush(self.queues[pool], (priority, rank, i))

    def waiting(self) -> bool:
        return any(self.queues)

    def free(self, pool: int) -> None:
        """An officer of ``pool`` is done."""
        self.idle[pool] += 1

    def dispatch(self, now: float) -> list[tuple[int, int, bool]]:
        """The calls made at ``now`` (in session time): (officer's pool, record, lent?) in the order
        they are made."""
        calls, queues, idle = [], self.queues, self.idle
        for p, queue in enumerate(queues):
            while idle[p] and queue:
                idle[p] -= 1
                calls.append((p, heapq.heappop(queue)[2], False))
        if not any(queues):
            return calls
        day = int(now // MINUTES_PER_DAY)
        if day != self.day:  # a new day: nothing lent yet
            self.day, self.lent = day, [0.0] * len(queues)
            self.worked_before_today = self.calendar.minutes_worked_by(day * MINUTES_PER_DAY)
        today = self.calendar.minutes_worked_by(now) - self.worked_before_today
        lent, allowance = self.lent, self.allowance
        for p in range(len(queues)):
            while idle[p] and lent[p] < allowance[p] * today:
                heads = [(queues[q][0], q) for q in self.others[p] if queues[q]]
                if not heads:
                    break
                i = heapq.heappop(queues[min(heads)[1]])[2]
                idle[p] -= 1
                lent[p] += self.work[i]
                calls.append((p, i, True))
        return calls


def busy_by_pool(calendar: WorkCalendar, start: np.ndarray, finish: np.ndarray, work: np.ndarray,
                 served_by: np.ndarray, pools: int) -> list[float]:
    """Session minutes each pool's officers worked by the horizon, on whichever department's
    records (``served_by``: the pool of the officer who took each record, -1 if none)."""
    out = []
    for p in range(pools):
        mine = served_by == p
        done = mine & ~np.isnan(finish)
        out.append(worked_up_to(calendar, work[done].sum(), start[mine & np.isnan(finish)]))
    return out
