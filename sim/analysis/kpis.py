"""KPIs: the figures a run reports, computed from summed per-unit counts."""

from __future__ import annotations

import math

import numpy as np

from sim.analysis.unit_counts import COUNTS, DEPARTMENT_COUNTS, WAIT_BIN_MINUTES, WAIT_BINS, UnitResult

KPI_NAMES = (
    "received", "processed", "processed_on_time", "on_time_pct", "in_process", "in_process_overdue",
    "in_process_not_yet_due", "abandoned", "desk_wait_mean_min", "desk_wait_p90_min",
    "desk_wait_over_target_pct", "lead_time_mean_wd", "desk_utilisation", "staff_utilisation",
    "approver_utilisation", "in_person_pct", "online_pct", "post_pct",
)


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
