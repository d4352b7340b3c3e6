"""Confidence intervals over replications and over one long run.

Method over replications: the Student-t 95 % interval of the replication values, intersected with
the range the quantity can take (a share lies in [0, 100], a count or a wait is at least 0). A
true value always lies in its range, so whenever the t interval covers it the intersection covers
it too: cutting at the range never lowers the coverage, and the reported mean (the plain average of
the replication values, itself in range) stays inside its interval. A logit or log-scale interval
was not used: it is centred on the mean of the transformed values rather than on the mean itself,
is undefined at a share of exactly 0 or 100 %, and can leave out the reported mean.

The interval assumes replication values close to normal, which holds for KPIs that average
thousands of records; with few replications it is wide and rough (see ``MIN_REPLICATIONS``).
"""

from __future__ import annotations

import math

import numpy as np

MIN_REPLICATIONS = 5  # assumption: below this, a 95 % t interval is too wide and too rough to plan with


def mean_ci95(values: list[float], low: float = -math.inf, high: float = math.inf) -> dict[str, float | None]:
    """Mean over replications with a Student-t 95 % interval cut to ``[low, high]``, the range the
    quantity can take (None where it cannot be computed: no value, or a single one)."""
    x = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    if len(x) == 0:
        return {"mean": None, "ci95_low": None, "ci95_high": None}
    mean = float(x.mean())
    if len(x) < 2:
        return {"mean": mean, "ci95_low": None, "ci95_high": None}
    from scipy import special  # the Student t quantile without importing scipy.stats (about 1 s)

    half = float(special.stdtrit(len(x) - 1, 0.975) * x.std(ddof=1) / math.sqrt(len(x)))
    return {"mean": mean, "ci95_low": float(max(mean - half, low)), "ci95_high": float(min(mean + half, high))}


def replication_warnings(replications: int) -> list[str]:
    """Plain warnings for a run whose replications are too few for its intervals to mean much."""
    if replications < 2:
        return [f"{replications} replication: no 95 % interval can be computed; run at least "
                f"{MIN_REPLICATIONS} replications to judge the uncertainty"]
    if replications < MIN_REPLICATIONS:
        return [f"only {replications} replications: the 95 % intervals are wide and rough "
                f"(t intervals from {replications} values); use at least {MIN_REPLICATIONS}"]
    return []


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
