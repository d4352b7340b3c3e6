"""Confidence intervals over replications and over one long run."""

from __future__ import annotations

import math

import numpy as np


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
