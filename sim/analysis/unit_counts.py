"""Per-unit counts: one unit in one replication reduced from its record arrays to the sums every KPI is made of."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.analysis.desk_queue import daily_peaks, hourly_mean_queue, open_days
from sim.model.calendar import MINUTES_PER_DAY, WorkCalendar
from sim.engines.outcome import ABANDONED, IN_PROCESS_STAGES, UnitOutcome
from sim.model.scenario import Scenario, UnitPlan
from sim.model.stock import CALENDAR_DAYS_PER_WORKING_DAY
from sim.engines.visits import VISIT_KINDS
from sim.engines.workload import IN_PERSON, ONLINE, POST, Workload

VISIT_KINDS_ALL = ("submission", *VISIT_KINDS.values())  # every kind of desk visit, submissions first
COUNTS = (
    "received", "processed", "processed_on_time", "in_process", "in_process_overdue", "abandoned",
    "received_in_person", "received_online", "received_post",
    "served_at_desk", "desk_wait_sum", "desk_wait_over_target", "lead_time_sum_wd",
    "desk_busy", "desk_capacity", "staff_busy", "staff_capacity", "approver_busy", "approver_capacity",
    # The opening stock (records in process when the period starts) is not received in the period;
    # "reported" counts are those of the records received in the period, the cohort the city's
    # reports count (processed + in process = received). Always:
    # opening_stock + received = processed + in_process + abandoned.
    "opening_stock", "reported_processed", "reported_processed_on_time", "reported_in_process",
    "overtime_hours", "officer_weeks",
    "desk_days",  # desks x days with a desk session: what visits per desk and day are counted against
    # Citizens served at a desk by kind of visit (served_at_desk is their sum) and their summed waits:
    # the submission of a record, and the desk-only visits of sim.engines.visits
    *(f"visits_{kind}" for kind in VISIT_KINDS_ALL), *(f"desk_wait_sum_{kind}" for kind in VISIT_KINDS_ALL),
    # Citizens served: their minutes in line while the desks did not serve, and how many had some
    "closed_wait_sum", "waited_closed",
)
DEPARTMENT_COUNTS = (
    "received", "processed", "processed_on_time", "in_process", "in_process_overdue",
    "lead_time_sum_wd", "staff_busy", "staff_capacity", "approver_busy", "approver_capacity", "opening_stock",
    "effort_arrived",  # staff minutes of work that reached the department (received records and stock)
    "overtime_hours", "officer_weeks",
)
# What a city report counts at a report date T (the close of that day), for the records received
# in the period and, with report.figures_count_stock, the opening stock: see :func:`report_counts`.
REPORT_COUNTS = (
    "received", "processed", "processed_on_time", "in_process", "in_process_overdue",
    "in_process_overdue_max", "abandoned", "received_in_person", "received_online", "received_post",
    "presence_minutes", "departed_sojourn_minutes",
)
# Little's law over a window [a, b) (Scenario.little_window), every record counted, opening stock
# included: see :func:`little_counts`.
LITTLE_COUNTS = ("window_minutes", "presence_minutes", "arrived", "sojourn_minutes", "censored",
                 "in_system_start", "in_system_end")
# staff_capacity is the officers' session minutes plus the extra sessions they stayed for
# (overtime_hours, officer-hours), so staff utilisation stays a share of the time they were at work.
# officer_weeks: officers x simulated days / 7, what overtime per officer and week is counted against.
DAILY = ("arrivals", "completions", "abandoned", "in_process", "desk_queue_peak")


@dataclass
class UnitResult:
    """One unit in one replication, reduced to what the reports need (small, cheap to ship)."""

    replication: int
    position: int  # index into Scenario.units
    counts: np.ndarray  # COUNTS
    waits: np.ndarray  # float32 desk wait (minutes) of each citizen served: records, then desk-only visits
    departments: np.ndarray  # (departments, DEPARTMENT_COUNTS)
    daily: np.ndarray  # (days, DAILY)
    # with stock.save_snapshot: the records in process at the horizon (sim.engines.stock.closing_stock)
    closing_stock: dict | None = None
    # the counter group of each served citizen, aligned with waits; and FRONT_DESK_COUNTS
    # (sim.analysis.front_desk): both set by sim.experiments.runner.run_unit
    wait_groups: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    served_groups: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))  # whose desk served each
    front_desk: np.ndarray = field(default_factory=lambda: np.zeros(2))
    # (report dates, REPORT_COUNTS): one row per Scenario.report_days, the period's last day last
    report: np.ndarray = field(default_factory=lambda: np.zeros((0, len(REPORT_COUNTS))))
    # LITTLE_COUNTS over Scenario.little_window; empty without one
    little: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # (days,) bool: days with a desk session; the longest queue of the day is counted over these
    open_days: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    # (days, 24) float32: time-average number waiting in the desk queue in each clock hour
    queue_by_hour: np.ndarray = field(default_factory=lambda: np.zeros((0, 24), dtype=np.float32))


def summarise_unit(replication: int, position: int, scenario: Scenario, plan: UnitPlan,
                   calendar: WorkCalendar, workload: Workload, outcome: UnitOutcome) -> UnitResult:
    horizon = calendar.horizon
    stock = workload.opening
    arriving = ~stock
    processed = ~np.isnan(outcome.done)
    on_time = processed & (outcome.done <= outcome.due)
    in_process = np.isin(outcome.stage, IN_PROCESS_STAGES)
    overdue = in_process & (outcome.due < horizon)  # nan due (not yet received) compares False
    abandoned = outcome.stage == ABANDONED
    served = ~np.isnan(outcome.desk_start)
    extra_kind, extra_start, extra_end, extra_waits = desk_only_visits(outcome)
    waits = np.concatenate([outcome.desk_wait[served], extra_waits])  # every citizen served, visits included
    closed_waits = served_closed_waits(outcome, served)
    lead_wd = np.zeros(len(workload))
    n_done = int(processed.sum())
    lead_wd[processed] = calendar.working_days_between(outcome.receipt[processed], outcome.done[processed])
    # Before the period the calendar is not laid out: a stock record's days before the start count
    # five working days in seven calendar days.
    stock_done = processed & stock
    lead_wd[stock_done] += -outcome.receipt[stock_done] / (MINUTES_PER_DAY * CALENDAR_DAYS_PER_WORKING_DAY)
    session_minutes = float(calendar.working_minutes(np.array([horizon]))[0])  # opening hours, Saturdays included
    starts = np.concatenate([outcome.desk_start[served], extra_start])
    ends = np.concatenate([outcome.desk_end[served], extra_end])
    desk_busy = float(np.sum(np.minimum(np.nan_to_num(ends, nan=horizon), horizon) - starts))
    by_kind = [served.sum(), *((extra_kind == k).sum() for k in VISIT_KINDS)]
    wait_by_kind = [outcome.desk_wait[served].sum(), *(extra_waits[extra_kind == k].sum() for k in VISIT_KINDS)]
    organisation = plan.organisation
    staff = np.asarray(organisation.staff, dtype=float)
    approvers = np.asarray(organisation.approvers, dtype=float)
    n_dept = len(staff)
    staff_busy = np.bincount(organisation.pool_department, weights=outcome.staff_busy, minlength=n_dept)
    overtime = np.bincount(organisation.pool_department, weights=outcome.staff_overtime, minlength=n_dept)
    staff_capacity = staff * session_minutes + overtime
    officer_weeks = staff * scenario.days / 7

    is_open = open_days(calendar)
    channel = workload.channel[arriving]
    counts = np.array([
        arriving.sum(), n_done, on_time.sum(), in_process.sum(), overdue.sum(), abandoned.sum(),
        (channel == IN_PERSON).sum(), (channel == ONLINE).sum(), (channel == POST).sum(),
        len(waits), waits.sum(), (waits > scenario.desk_policy.wait_target_minutes).sum(), lead_wd.sum(),
        desk_busy, plan.desks * session_minutes, staff_busy.sum(), staff_capacity.sum(),
        outcome.approver_busy.sum(), approvers.sum() * session_minutes,
        stock.sum(), (processed & arriving).sum(), (on_time & arriving).sum(), (in_process & arriving).sum(),
        overtime.sum() / 60, officer_weeks.sum(), plan.desks * is_open.sum(), *by_kind, *wait_by_kind,
        closed_waits.sum(), (closed_waits > 0).sum(),
    ], dtype=float)

    dept = workload.department

    def per_dept(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(dept[mask], weights=None if weights is None else weights[mask], minlength=n_dept)

    departments = np.column_stack([
        per_dept(arriving), per_dept(processed), per_dept(on_time), per_dept(in_process),
        per_dept(overdue), per_dept(processed, lead_wd), staff_busy, staff_capacity,
        outcome.approver_busy, approvers * session_minutes, per_dept(stock),
        per_dept(~np.isnan(outcome.receipt), workload.effort_minutes), overtime / 60, officer_weeks,
    ]).astype(float)

    days = scenario.days

    def per_day(times: np.ndarray) -> np.ndarray:
        t = times[~np.isnan(times)]
        return np.bincount((t // MINUTES_PER_DAY).astype(np.int64), minlength=days)[:days]

    arrivals, completions, left = per_day(workload.arrival[arriving]), per_day(outcome.done), per_day(outcome.abandoned_at)
    daily = np.column_stack([
        arrivals, completions, left, stock.sum() + np.cumsum(arrivals - completions - left),
        daily_peaks(outcome.visit_enter, outcome.visit_exit, days),
    ]).astype(float)

    # float32 keeps a city replication's ~210,000 waits under 1 MB, exact to well under a second
    report = report_counts(calendar, workload, outcome, scenario.report_days, scenario.figures_count_stock)
    window = scenario.little_window_minutes
    little = np.zeros(0) if window is None else little_counts(workload, outcome, window, horizon)
    # float32: 96 bytes a unit-day, a city replication's profiles ~0.8 MB over two months
    queue_by_hour = hourly_mean_queue(outcome.visit_enter, outcome.visit_exit, days).astype(np.float32)
    return UnitResult(replication, position, counts, waits.astype(np.float32), departments, daily, report=report,
                      little=little, open_days=is_open, queue_by_hour=queue_by_hour)


def served_closed_waits(outcome: UnitOutcome, served: np.ndarray) -> np.ndarray:
    """Minutes each citizen served stood in line while the desks did not serve, in the order of
    the waits: records served, then desk-only visits served (zeros if the engine kept none)."""
    records = outcome.desk_wait_closed[served] if outcome.desk_wait_closed is not None else np.zeros(int(served.sum()))
    extra = outcome.extra_desk_wait_closed
    if extra is None or len(extra) == 0:
        return records
    return np.concatenate([records, extra[~np.isnan(outcome.extra_desk_start)]])


def desk_only_visits(outcome: UnitOutcome) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The desk-only visits served (sim.engines.visits): their kind, service start and end, and
    minutes waited (all stays), in the outcome's order; empty without visits."""
    if outcome.extra_kind is None or len(outcome.extra_kind) == 0:
        empty = np.zeros(0)
        return np.zeros(0, dtype=np.int8), empty, empty, empty
    served = ~np.isnan(outcome.extra_desk_start)
    return (outcome.extra_kind[served], outcome.extra_desk_start[served], outcome.extra_desk_end[served],
            outcome.extra_desk_wait[served])


def little_counts(workload: Workload, outcome: UnitOutcome, window: tuple[float, float],
                  horizon: float) -> np.ndarray:
    """:data:`LITTLE_COUNTS` over the window [a, b) (minutes from the period's start).

    A record is in the system from its arrival (an opening-stock record's is its receipt, at or
    before 0) until it leaves: its result signed, or the citizen gone for good. With T = b - a:
    L = ``presence_minutes`` / T, the time-average number in the system over the window (every
    record's time inside it, stock included); lambda = ``arrived`` / T, the records arriving in
    the window; W = ``sojourn_minutes`` / ``arrived``, their mean time from arrival to leaving,
    wherever the leaving falls. Those still in the system at the horizon are ``censored``: their
    time counts up to the horizon, so W is then a lower bound. In steady state L / (lambda W) =
    ``presence_minutes`` / ``sojourn_minutes`` tends to 1 as the window grows (Little's law); a
    backlog that grows, or an opening stock still draining, puts it above 1.
    ``in_system_start`` and ``in_system_end``, the records in the system at a and at b, show the
    drift: far from steady state they differ, and the ratio moves with the window.
    """
    a, b = window
    arrival = workload.arrival
    leave = np.fmin(outcome.done, outcome.abandoned_at)  # nan: still in the system at the horizon
    still_in = np.isnan(leave)
    until = np.where(still_in, horizon, leave)
    presence = np.clip(np.minimum(until, b) - np.maximum(arrival, a), 0, None)
    arrived = ~workload.opening & (arrival >= a) & (arrival < b)  # stock arrived before the period
    def in_system(t: float) -> int:
        return int(((arrival <= t) & (until > t)).sum())

    return np.array([b - a, presence.sum(), arrived.sum(), np.sum(until[arrived] - arrival[arrived]),
                     (arrived & still_in).sum(), in_system(a), in_system(b)], dtype=float)


def report_counts(calendar: WorkCalendar, workload: Workload, outcome: UnitOutcome,
                  report_days: tuple[int, ...], count_stock: bool = False) -> np.ndarray:
    """:data:`REPORT_COUNTS` at the close of each report day (day index from the period's start).

    A record counts as it stood at time T: received if it arrived before T, processed if its
    result was signed before T, abandoned if the citizen left for good before T, in process
    otherwise. Nothing after T changes what happened before it, so one run gives the figures of
    every earlier report date, and the last day's row equals the horizon counts; a run ending at T
    draws the same records up to T (demand is set week by week, :mod:`sim.engines.workload`), so
    its counts are these. With ``count_stock`` (``report.figures_count_stock``) the opening stock
    counts as received on the first day, as the city's reports are read (their processed + in
    process = received holds with the handed-over records in); else only the records received in
    the period count (``~workload.opening``).

    A due date moves when staff review a record with missing papers or a financial obligation.
    ``in_process_overdue`` counts by the due date as it stood at T (extended only if the review
    ended before T: exact); ``in_process_overdue_max`` counts by the due date without any extension, an upper bound.

    ``presence_minutes`` is the time the records spent in process up to T (its mean over the
    period is the mean number in process), ``departed_sojourn_minutes`` the time from arrival to
    leaving (result signed, or given up) of those that left before T. Their ratio is biased above 1
    on a period that starts empty or ends with records in process: Little's law is checked over a
    window away from both ends instead (:func:`little_counts`).
    """
    cohort = np.ones(len(workload), dtype=bool) if count_stock else ~workload.opening
    arrival = workload.arrival[cohort]
    channel = workload.channel[cohort]
    done, due, gone = outcome.done[cohort], outcome.due[cohort], outcome.abandoned_at[cohort]
    receipt = outcome.receipt[cohort]
    unextended = due.copy()
    papers = (workload.paused_wd[cohort] > 0) & ~np.isnan(receipt) & ~workload.opening[cohort]
    if papers.any():
        unextended[papers] = calendar.due_times(receipt[papers], workload.deadline_wd[cohort][papers])
    reviewed = outcome.reviewed[cohort] if outcome.reviewed is not None else np.zeros(len(done))
    leave = np.fmin(done, gone)  # nan for records still in process at the horizon
    rows = []
    for day in report_days:
        t = (day + 1) * MINUTES_PER_DAY
        arrived = arrival < t
        processed = done < t  # nan compares False
        abandoned = gone < t
        in_process = arrived & ~processed & ~abandoned
        left = leave < t
        rows.append([
            arrived.sum(), processed.sum(), (processed & (done <= due)).sum(), in_process.sum(),
            (in_process & (np.where(reviewed < t, due, unextended) < t)).sum(),  # the due date as known at t
            (in_process & (unextended < t)).sum(), abandoned.sum(),
            (arrived & (channel == IN_PERSON)).sum(), (arrived & (channel == ONLINE)).sum(),
            (arrived & (channel == POST)).sum(),
            np.sum(np.fmin(np.nan_to_num(leave[arrived], nan=t), t) - arrival[arrived]),
            np.sum(leave[left] - arrival[left]),
        ])
    return np.array(rows, dtype=float).reshape(len(report_days), len(REPORT_COUNTS))
