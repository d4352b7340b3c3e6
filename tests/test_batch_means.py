"""The batch-means interval (a steady-state mean from one long run) covers the true mean about
95 % of the time, for independent data and for strongly autocorrelated data started far from it."""

import numpy as np
import pytest
from scipy.signal import lfilter

from sim.analysis.intervals import batch_means_ci

RUNS = 300


def coverage(make_series) -> float:
    rng = np.random.default_rng(2025)
    hits = 0
    for _ in range(RUNS):
        series, true_mean = make_series(rng)
        ci = batch_means_ci(series, batches=20, warmup=0.05)
        hits += ci["ci95_low"] <= true_mean <= ci["ci95_high"]
    return hits / RUNS


def test_covers_mean_of_iid_data():
    assert coverage(lambda rng: (rng.exponential(2.0, 4_000), 2.0)) == pytest.approx(0.95, abs=0.04)


def test_covers_mean_of_autocorrelated_data_after_warmup():
    # AR(1), x[t] = 5 (1 - phi) + phi x[t-1] + e[t], phi = 0.9, mean 5, started at 0: the naive
    # interval of the observations would cover about a third of the time.
    phi, mean = 0.9, 5.0

    def ar1(rng):
        e = rng.standard_normal(21_000) + mean * (1 - phi)
        return lfilter([1.0], [1.0, -phi], e), mean

    assert coverage(ar1) == pytest.approx(0.95, abs=0.04)


def test_too_short_a_series_is_refused():
    with pytest.raises(ValueError, match="at least 20"):
        batch_means_ci(np.ones(10), batches=20)
