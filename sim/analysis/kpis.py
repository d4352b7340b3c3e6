"""KPIs: the figures a run reports, computed from summed per-unit counts and pooled desk waits.

``KPIS`` is the one table of what each KPI means: its unit, the range it can take (used to keep
every 95 % interval inside what is possible) and a description.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.analysis.intervals import mean_ci95
from sim.analysis.unit_counts import COUNTS, DAILY, DEPARTMENT_COUNTS, VISIT_KINDS_ALL, UnitResult

INF = math.inf
WAIT_QUANTILE_METHOD = "inverted_cdf"  # a quantile is a wait some served citizen actually had


@dataclass(frozen=True)
class Kpi:
    name: str
    unit: str
    low: float  # the range the KPI can take
    high: float
    description: str


KPIS = {k.name: k for k in (
    Kpi("received", "records", 0, INF, "records that reached a unit in the period (every channel), abandoned included"),
    Kpi("opening_stock", "records", 0, INF,
        "records already in process when the period started (stock.source); not received in the period, they "
        "count in processed, on time (by their own due dates), in process and overdue"),
    Kpi("processed", "records", 0, INF, "records finished (approved) in the period, opening stock included"),
    Kpi("processed_on_time", "records", 0, INF, "records finished on or before their due date"),
    Kpi("on_time_pct", "%", 0, 100, "records finished on time, share of records finished (Hanoi's reporting)"),
    Kpi("on_time_of_received_pct", "%", 0, 100,
        "records finished on time, share of the records received whose outcome is known at the end: finished, "
        "abandoned at the desk, or in process past the due date (records in process and not yet due are left "
        "out); turning citizens away lowers it"),
    Kpi("abandoned_of_received_pct", "%", 0, 100,
        "citizens who gave up at the desk, share of the same records as on_time_of_received_pct"),
    Kpi("in_process", "records", 0, INF,
        "records received (or in the opening stock) and not finished at the end of the period"),
    Kpi("reported_processed", "records", 0, INF,
        "records received in the period and finished by its end (opening stock left out; the report figures of "
        "python -m sim.validate count the stock as report.figures_count_stock says)"),
    Kpi("reported_on_time_pct", "%", 0, 100,
        "records received in the period and finished on time, share of reported_processed"),
    Kpi("reported_in_process", "records", 0, INF,
        "records received in the period and not finished at its end (opening stock left out)"),
    Kpi("in_process_overdue", "records", 0, INF, "records in process at the end and past their due date"),
    Kpi("in_process_not_yet_due", "records", 0, INF, "records in process at the end and not yet due"),
    Kpi("overdue", "records", 0, INF, "records finished late plus records in process past their due date"),
    Kpi("abandoned", "records", 0, INF, "citizens who gave up waiting at the desk"),
    Kpi("desk_wait_mean_min", "min", 0, INF,
        "mean desk wait of the citizens served (all their stays in line), every kind of visit"),
    Kpi("desk_wait_median_min", "min", 0, INF, "median desk wait of the citizens served (exact, pooled)"),
    Kpi("desk_wait_p90_min", "min", 0, INF, "90th percentile of the desk waits of the citizens served (exact, pooled)"),
    Kpi("desk_wait_p95_min", "min", 0, INF, "95th percentile of the desk waits of the citizens served (exact, pooled)"),
    Kpi("desk_wait_over_target_pct", "%", 0, 100, "citizens served who waited longer than desks.wait_target_minutes"),
    Kpi("closed_wait_mean_min", "min", 0, INF,
        "mean minutes the citizens served stood in line while the desks did not serve (at the door before "
        "opening, over the lunch break); left out of desk_wait_* unless desks.wait_counts_closed"),
    Kpi("waited_closed_pct", "%", 0, 100,
        "citizens served who stood in line while the desks did not serve (at the door before opening, over lunch)"),
    Kpi("longest_queue_mean", "citizens", 0, INF,
        "longest desk queue of the day (most citizens waiting in line at once, exact), mean over the days with a "
        "desk session; for several units, each day's longest queue at any one of them"),
    Kpi("longest_queue_max", "citizens", 0, INF, "longest desk queue of the period: the largest of the daily ones"),
    Kpi("visits_per_desk_per_day", "visits per desk-day", 0, INF,
        "citizens called to a desk (desk services started, every kind of visit) per desk and day with a desk session"),
    Kpi("visits_submission", "visits", 0, INF, "citizens served at a desk who submitted a record"),
    Kpi("visits_collection", "visits", 0, INF, "citizens served at a desk who collected a result (desks.visits)"),
    Kpi("visits_supplement", "visits", 0, INF, "citizens served at a desk who brought missing papers (desks.visits)"),
    Kpi("visits_guidance", "visits", 0, INF, "citizens served at a desk who came only for guidance (desks.visits)"),
    *(Kpi(f"desk_wait_mean_{kind}_min", "min", 0, INF, f"mean desk wait of the {kind} visits served (nan: none)")
      for kind in VISIT_KINDS_ALL),
    Kpi("lead_time_mean_wd", "working days", 0, INF, "mean time from receipt to result of the records finished"),
    # desks keep serving after closing time under desks.closing=overtime, so busy time can exceed the sessions
    Kpi("desk_utilisation", "share of session time", 0, INF, "desk busy time over desk session time"),
    Kpi("staff_utilisation", "share of session time", 0, 1,
        "officers' working time over their session time (extra sessions of overtime included), all departments"),
    Kpi("approver_utilisation", "share of session time", 0, 1, "heads' approval time over their session time"),
    Kpi("overtime_hours", "officer-hours", 0, INF,
        "hours officers stayed after the day's last session (staff.overtime), each officer of a department counted"),
    Kpi("overtime_hours_per_officer_week", "hours", 0, 7 * 24,
        "overtime hours per processing officer and week of the period (every officer counted, also those of "
        "departments that never stayed late)"),
    Kpi("in_person_pct", "%", 0, 100, "records filed at a desk"),
    Kpi("online_pct", "%", 0, 100, "records filed online"),
    Kpi("post_pct", "%", 0, 100, "records filed by post"),
)}
KPI_NAMES = tuple(KPIS)


def kpi_range(name: str) -> tuple[float, float]:
    k = KPIS[name]
    return k.low, k.high


def difference_range(name: str) -> tuple[float, float]:
    """Range of a difference of two values of the KPI (e.g. [-100, 100] for a share)."""
    low, high = kpi_range(name)
    return low - high, high - low


def kpi_interval(name: str, values: list[float]) -> dict[str, float | None]:
    """Mean of the KPI over replications with its 95 % interval kept inside the KPI's range."""
    return mean_ci95(values, *kpi_range(name))


def difference_interval(name: str, differences: list[float]) -> dict[str, float | None]:
    """Mean paired difference of the KPI with its 95 % interval kept inside the range of a difference."""
    return mean_ci95(differences, *difference_range(name))


def _ratio(num: float, den: float, scale: float = 1.0) -> float:
    return scale * num / den if den > 0 else math.nan


def wait_quantile(waits: np.ndarray, q: float) -> float:
    """Exact ``q`` quantile of served citizens' desk waits: the smallest wait w such that at least a
    share ``q`` waited w or less (numpy's ``inverted_cdf``); nan without any served citizen."""
    if len(waits) == 0:
        return math.nan
    return float(np.quantile(waits, q, method=WAIT_QUANTILE_METHOD))


def longest_queue_by_day(results: list[UnitResult]) -> np.ndarray:
    """The longest desk queue of each day with a desk session at one of these units (of one
    replication): the most citizens waiting at once in any one unit's line that day. A queue
    stands in one office, so units' queues are not added up (``queue_by_hour.png`` shows the
    number waiting across them)."""
    if not results or any(len(r.open_days) == 0 for r in results):
        return np.zeros(0)
    peak = DAILY.index("desk_queue_peak")
    longest = np.max([r.daily[:, peak] for r in results], axis=0)
    return longest[np.any([r.open_days for r in results], axis=0)]


def kpis(counts: np.ndarray, waits: np.ndarray, longest_queues: np.ndarray | None = None) -> dict[str, float]:
    """Every KPI of ``counts`` (COUNTS, summed over the units concerned), the pooled desk waits and
    the longest queue of each open day (:func:`longest_queue_by_day`; none: nan)."""
    c = dict(zip(COUNTS, counts))
    longest = np.zeros(0) if longest_queues is None else np.asarray(longest_queues, dtype=float)
    not_yet_due = c["in_process"] - c["in_process_overdue"]
    known = c["received"] + c["opening_stock"] - not_yet_due  # finished, abandoned, or overdue in process
    return {
        "received": c["received"],
        "opening_stock": c["opening_stock"],
        "processed": c["processed"],
        "processed_on_time": c["processed_on_time"],
        "on_time_pct": _ratio(c["processed_on_time"], c["processed"], 100),
        "on_time_of_received_pct": _ratio(c["processed_on_time"], known, 100),
        "abandoned_of_received_pct": _ratio(c["abandoned"], known, 100),
        "in_process": c["in_process"],
        "reported_processed": c["reported_processed"],
        "reported_on_time_pct": _ratio(c["reported_processed_on_time"], c["reported_processed"], 100),
        "reported_in_process": c["reported_in_process"],
        "in_process_overdue": c["in_process_overdue"],
        "in_process_not_yet_due": not_yet_due,
        "overdue": c["processed"] - c["processed_on_time"] + c["in_process_overdue"],
        "abandoned": c["abandoned"],
        "desk_wait_mean_min": _ratio(c["desk_wait_sum"], c["served_at_desk"]),
        "desk_wait_median_min": wait_quantile(waits, 0.5),
        "desk_wait_p90_min": wait_quantile(waits, 0.9),
        "desk_wait_p95_min": wait_quantile(waits, 0.95),
        "desk_wait_over_target_pct": _ratio(c["desk_wait_over_target"], c["served_at_desk"], 100),
        "closed_wait_mean_min": _ratio(c["closed_wait_sum"], c["served_at_desk"]),
        "waited_closed_pct": _ratio(c["waited_closed"], c["served_at_desk"], 100),
        "longest_queue_mean": float(longest.mean()) if len(longest) else math.nan,
        "longest_queue_max": float(longest.max()) if len(longest) else math.nan,
        "visits_per_desk_per_day": _ratio(c["served_at_desk"], c["desk_days"]),
        **{f"visits_{kind}": c[f"visits_{kind}"] for kind in VISIT_KINDS_ALL},
        **{f"desk_wait_mean_{kind}_min": _ratio(c[f"desk_wait_sum_{kind}"], c[f"visits_{kind}"])
           for kind in VISIT_KINDS_ALL},
        "lead_time_mean_wd": _ratio(c["lead_time_sum_wd"], c["processed"]),
        "desk_utilisation": _ratio(c["desk_busy"], c["desk_capacity"]),
        "staff_utilisation": _ratio(c["staff_busy"], c["staff_capacity"]),
        "approver_utilisation": _ratio(c["approver_busy"], c["approver_capacity"]),
        "overtime_hours": c["overtime_hours"],
        "overtime_hours_per_officer_week": _ratio(c["overtime_hours"], c["officer_weeks"]),
        "in_person_pct": _ratio(c["received_in_person"], c["received"], 100),
        "online_pct": _ratio(c["received_online"], c["received"], 100),
        "post_pct": _ratio(c["received_post"], c["received"], 100),
    }


def unit_kpis(result: UnitResult) -> dict[str, float]:
    """KPIs of one unit in one replication."""
    return kpis(result.counts, result.waits, longest_queue_by_day([result]))


def department_kpis(row: np.ndarray) -> dict[str, float]:
    c = dict(zip(DEPARTMENT_COUNTS, row))
    return {
        "received": c["received"],
        "opening_stock": c["opening_stock"],
        "processed": c["processed"],
        "on_time_pct": _ratio(c["processed_on_time"], c["processed"], 100),
        "in_process": c["in_process"],
        "in_process_overdue": c["in_process_overdue"],
        "lead_time_mean_wd": _ratio(c["lead_time_sum_wd"], c["processed"]),
        "staff_utilisation": _ratio(c["staff_busy"], c["staff_capacity"]),
        "approver_utilisation": _ratio(c["approver_busy"], c["approver_capacity"]),
        # work that reached the department over its staff's session time: above 1 its backlog grows
        "offered_load": _ratio(c["effort_arrived"], c["staff_capacity"]),
        "overtime_hours": c["overtime_hours"],
        "overtime_hours_per_officer_week": _ratio(c["overtime_hours"], c["officer_weeks"]),
    }


def pooled_kpis(results: list[UnitResult]) -> dict[str, float]:
    """KPIs of several units taken together (a city, or all wards) in one replication: counts
    summed, desk waits pooled, so a quantile is that of every served citizen of these units, and
    each day's longest queue that of the unit with the longest one."""
    return kpis(np.sum([r.counts for r in results], axis=0), np.concatenate([r.waits for r in results]),
                longest_queue_by_day(results))
