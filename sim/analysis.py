"""Statistics: per-unit counts from outcomes, KPIs, confidence intervals, queueing references."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.calendar import MINUTES_PER_DAY, WorkCalendar
from sim.outcome import ABANDONED, IN_PROCESS_STAGES, UnitOutcome
from sim.scenario import Scenario, UnitPlan
from sim.workload import IN_PERSON, ONLINE, POST, Workload

COUNTS = (
    "received", "processed", "processed_on_time", "in_process", "in_process_overdue", "abandoned",
    "received_in_person", "received_online", "received_post",
    "served_at_desk", "desk_wait_sum", "desk_wait_over_target", "lead_time_sum_wd",
    "desk_busy", "desk_capacity", "staff_busy", "staff_capacity", "approver_busy", "approver_capacity",
)
DEPARTMENT_COUNTS = (
    "received", "processed", "processed_on_time", "in_process", "in_process_overdue",
    "lead_time_sum_wd", "staff_busy", "staff_capacity", "approver_busy", "approver_capacity",
)
DAILY = ("arrivals", "completions", "abandoned", "in_process", "desk_queue_peak")

WAIT_BIN_MINUTES = 0.5
WAIT_BINS = 1440  # 0 to 720 minutes; longer waits go to one overflow bin
KPI_NAMES = (
    "received", "processed", "processed_on_time", "on_time_pct", "in_process", "in_process_overdue",
    "in_process_not_yet_due", "abandoned", "desk_wait_mean_min", "desk_wait_p90_min",
    "desk_wait_over_target_pct", "lead_time_mean_wd", "desk_utilisation", "staff_utilisation",
    "approver_utilisation", "in_person_pct", "online_pct", "post_pct",
)


@dataclass
class UnitResult:
    """One unit in one replication, reduced to what the reports need (small, cheap to ship)."""

    replication: int
    position: int  # index into Scenario.units
    counts: np.ndarray  # COUNTS
    wait_hist: np.ndarray  # WAIT_BINS + 1 bins of served citizens' desk waits
    wait_max: float
    departments: np.ndarray  # (departments, DEPARTMENT_COUNTS)
    daily: np.ndarray  # (days, DAILY)


def summarise_unit(replication: int, position: int, scenario: Scenario, plan: UnitPlan,
                   calendar: WorkCalendar, workload: Workload, outcome: UnitOutcome) -> UnitResult:
    horizon = calendar.horizon
    processed = ~np.isnan(outcome.done)
    on_time = processed & (outcome.done <= outcome.due)
    in_process = np.isin(outcome.stage, IN_PROCESS_STAGES)
    overdue = in_process & (outcome.due < horizon)  # nan due (not yet received) compares False
    abandoned = outcome.stage == ABANDONED
    served = ~np.isnan(outcome.desk_start)
    waits = outcome.desk_wait[served]
    worked = calendar.working_minutes(np.concatenate([[horizon], outcome.receipt[processed], outcome.done[processed]]))
    lead_wd = np.zeros(len(workload))
    n_done = int(processed.sum())
    lead_wd[processed] = (worked[1 + n_done:] - worked[1 : 1 + n_done]) / calendar.minutes_per_working_day
    session_minutes = float(worked[0])
    desk_busy = float(np.sum(np.minimum(np.nan_to_num(outcome.desk_end[served], nan=horizon), horizon)
                             - outcome.desk_start[served]))
    organisation = plan.organisation
    staff = np.asarray(organisation.staff, dtype=float)
    approvers = np.asarray(organisation.approvers, dtype=float)
    n_dept = len(staff)
    staff_busy = np.bincount(organisation.pool_department, weights=outcome.staff_busy, minlength=n_dept)

    counts = np.array([
        len(workload), n_done, on_time.sum(), in_process.sum(), overdue.sum(), abandoned.sum(),
        (workload.channel == IN_PERSON).sum(), (workload.channel == ONLINE).sum(), (workload.channel == POST).sum(),
        served.sum(), waits.sum(), (waits > scenario.desk_policy.wait_target_minutes).sum(), lead_wd.sum(),
        desk_busy, plan.desks * session_minutes, staff_busy.sum(), staff.sum() * session_minutes,
        outcome.approver_busy.sum(), approvers.sum() * session_minutes,
    ], dtype=float)

    dept = workload.department

    def per_dept(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(dept[mask], weights=None if weights is None else weights[mask], minlength=n_dept)

    departments = np.column_stack([
        np.bincount(dept, minlength=n_dept), per_dept(processed), per_dept(on_time), per_dept(in_process),
        per_dept(overdue), per_dept(processed, lead_wd), staff_busy, staff * session_minutes,
        outcome.approver_busy, approvers * session_minutes,
    ]).astype(float)

    days = scenario.days

    def per_day(times: np.ndarray) -> np.ndarray:
        t = times[~np.isnan(times)]
        return np.bincount((t // MINUTES_PER_DAY).astype(np.int64), minlength=days)[:days]

    arrivals, completions, left = per_day(workload.arrival), per_day(outcome.done), per_day(outcome.abandoned_at)
    daily = np.column_stack([
        arrivals, completions, left, np.cumsum(arrivals - completions - left),
        desk_queue_peaks(outcome.visit_enter, outcome.visit_exit, days),
    ]).astype(float)

    hist = np.bincount(np.minimum((waits / WAIT_BIN_MINUTES).astype(np.int64), WAIT_BINS), minlength=WAIT_BINS + 1)
    return UnitResult(replication, position, counts, hist, float(waits.max()) if len(waits) else 0.0,
                      departments, daily)


def desk_queue_peaks(enter: np.ndarray, leave: np.ndarray, days: int) -> np.ndarray:
    """Largest number of citizens waiting at once on each day, from queue stays (enter, leave)."""
    peaks = np.zeros(days)
    if len(enter) == 0:
        return peaks
    times = np.concatenate([leave, enter])
    steps = np.concatenate([-np.ones(len(leave)), np.ones(len(enter))])
    order = np.lexsort((steps, times))  # at equal times, departures first
    level = np.cumsum(steps[order])
    day = np.minimum((times[order] // MINUTES_PER_DAY).astype(np.int64), days - 1)
    np.maximum.at(peaks, day, level)
    return peaks


# --- KPIs ------------------------------------------------------------------------------------
def _ratio(num: float, den: float, scale: float = 1.0) -> float:
    return scale * num / den if den > 0 else math.nan


def hist_quantile(hist: np.ndarray, q: float, maximum: float) -> float:
    """Quantile of waits from the fixed-width histogram (linear within a bin)."""
    total = hist.sum()
    if total == 0:
        return math.nan
    cum = np.cumsum(hist)
    k = int(np.searchsorted(cum, q * total))
    below = cum[k - 1] if k > 0 else 0
    fraction = (q * total - below) / hist[k]
    low = k * WAIT_BIN_MINUTES
    high = maximum if k == WAIT_BINS else min(low + WAIT_BIN_MINUTES, maximum)
    return float(low + fraction * max(high - low, 0.0))


def kpis(counts: np.ndarray, wait_hist: np.ndarray, wait_max: float) -> dict[str, float]:
    c = dict(zip(COUNTS, counts))
    return {
        "received": c["received"],
        "processed": c["processed"],
        "processed_on_time": c["processed_on_time"],
        "on_time_pct": _ratio(c["processed_on_time"], c["processed"], 100),
        "in_process": c["in_process"],
        "in_process_overdue": c["in_process_overdue"],
        "in_process_not_yet_due": c["in_process"] - c["in_process_overdue"],
        "abandoned": c["abandoned"],
        "desk_wait_mean_min": _ratio(c["desk_wait_sum"], c["served_at_desk"]),
        "desk_wait_p90_min": hist_quantile(wait_hist, 0.9, wait_max),
        "desk_wait_over_target_pct": _ratio(c["desk_wait_over_target"], c["served_at_desk"], 100),
        "lead_time_mean_wd": _ratio(c["lead_time_sum_wd"], c["processed"]),
        "desk_utilisation": _ratio(c["desk_busy"], c["desk_capacity"]),
        "staff_utilisation": _ratio(c["staff_busy"], c["staff_capacity"]),
        "approver_utilisation": _ratio(c["approver_busy"], c["approver_capacity"]),
        "in_person_pct": _ratio(c["received_in_person"], c["received"], 100),
        "online_pct": _ratio(c["received_online"], c["received"], 100),
        "post_pct": _ratio(c["received_post"], c["received"], 100),
    }


def department_kpis(row: np.ndarray) -> dict[str, float]:
    c = dict(zip(DEPARTMENT_COUNTS, row))
    return {
        "received": c["received"],
        "processed": c["processed"],
        "on_time_pct": _ratio(c["processed_on_time"], c["processed"], 100),
        "in_process": c["in_process"],
        "in_process_overdue": c["in_process_overdue"],
        "lead_time_mean_wd": _ratio(c["lead_time_sum_wd"], c["processed"]),
        "staff_utilisation": _ratio(c["staff_busy"], c["staff_capacity"]),
        "approver_utilisation": _ratio(c["approver_busy"], c["approver_capacity"]),
    }


def pooled_kpis(results: list[UnitResult]) -> dict[str, float]:
    """KPIs of several units taken together (a city, or all wards) in one replication."""
    return kpis(
        np.sum([r.counts for r in results], axis=0),
        np.sum([r.wait_hist for r in results], axis=0),
        max(r.wait_max for r in results),
    )


def mean_ci95(values: list[float]) -> dict[str, float | None]:
    """Mean over replications with a Student-t 95 % interval (None where it cannot be computed)."""
    x = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    if len(x) == 0:
        return {"mean": None, "ci95_low": None, "ci95_high": None}
    mean = float(x.mean())
    if len(x) < 2:
        return {"mean": mean, "ci95_low": None, "ci95_high": None}
    from scipy import special  # the Student t quantile without importing scipy.stats (about 1 s)

    half = float(special.stdtrit(len(x) - 1, 0.975) * x.std(ddof=1) / math.sqrt(len(x)))
    return {"mean": mean, "ci95_low": mean - half, "ci95_high": mean + half}


def batch_means_ci(series, batches: int = 20, warmup: float = 0.1) -> dict[str, float | None]:
    """Steady-state mean of one long run of correlated observations (e.g. successive desk waits)
    with a 95 % interval, by batch means.

    Replications give independent values; one long run does not, so the plain Student-t interval
    of its observations is far too narrow. Dropping the first ``warmup`` share (the start-up
    transient) and cutting the rest into ``batches`` contiguous batches of equal length gives batch
    means that are nearly independent once a batch is much longer than the correlation time.
    ``series``: finite observations in time order.
    """
    x = np.asarray(series, dtype=float)
    x = x[int(len(x) * warmup):]
    size = len(x) // batches
    if size == 0:
        raise ValueError(f"batch means need at least {batches} observations after the warm-up, got {len(x)}")
    return mean_ci95(list(x[: size * batches].reshape(batches, size).mean(axis=1)))


# --- queueing theory -------------------------------------------------------------------------
def erlang_c_wait(arrival_rate: float, service_mean: float, servers: int) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C), same time unit as the inputs."""
    offered = arrival_rate * service_mean
    rho = offered / servers
    if rho >= 1:
        return math.inf
    terms = sum(offered**k / math.factorial(k) for k in range(servers))
    top = offered**servers / math.factorial(servers) / (1 - rho)
    p_wait = top / (terms + top)
    return p_wait * service_mean / (servers - offered)
