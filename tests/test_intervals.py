"""95 % intervals over replications stay inside what the quantity can take (a share in [0, 100], a
count at least 0), still cover the true mean about 95 % of the time near those limits, and a run
with too few replications says so."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.intervals import MIN_REPLICATIONS, mean_ci95, replication_warnings
from sim.analysis.kpis import KPI_NAMES, KPIS, difference_interval, kpi_range
from sim.analysis.summary import UNIT_INTERVAL_KPIS, summarise
from sim.outputs.run_files import format_summary, write_run
from tests.conftest import simulate

RUNS = 4000
N = 5  # replications


def coverage_and_escapes(draw, true_mean: float, low: float, high: float) -> tuple[float, int]:
    """Share of RUNS intervals from N replication values that cover ``true_mean``, and how many
    leave [low, high]."""
    rng = np.random.default_rng(2025)
    hits = escapes = 0
    for _ in range(RUNS):
        x = draw(rng)
        ci = mean_ci95(list(x), low, high)
        assert ci["mean"] == pytest.approx(float(np.mean(x)))  # the mean itself is unchanged
        hits += ci["ci95_low"] <= true_mean <= ci["ci95_high"]
        escapes += ci["ci95_low"] < low or ci["ci95_high"] > high
    return hits / RUNS, escapes


CASES = {
    # replication means of an on-time share of 1,000 records a replication, true share 99.7 %
    "on-time share near 100": (lambda rng: rng.binomial(1000, 0.997, N) / 1000 * 100, 99.7, 0, 100),
    # an abandoned share near 0: 3,000 citizens, 0.1 % give up
    "abandoned share near 0": (lambda rng: rng.binomial(3000, 0.001, N) / 3000 * 100, 0.1, 0, 100),
    # a small count, two overdue records a replication on average
    "small count": (lambda rng: rng.poisson(2.0, N).astype(float), 2.0, 0, math.inf),
}


@pytest.mark.parametrize("case", CASES)
def test_interval_covers_the_true_mean_near_the_limits_and_never_leaves_the_range(case):
    draw, true_mean, low, high = CASES[case]
    covered, escapes = coverage_and_escapes(draw, true_mean, low, high)
    assert escapes == 0
    assert 0.93 <= covered <= 0.97, covered
    # the plain t interval of the same values leaves the range in many runs: the limits matter here
    rng = np.random.default_rng(2025)
    plain = [mean_ci95(list(draw(rng))) for _ in range(500)]
    assert sum(ci["ci95_low"] < low or ci["ci95_high"] > high for ci in plain) > 25


def test_every_kpi_has_a_range_and_differences_of_shares_stay_within_100_points():
    assert set(KPI_NAMES) == set(KPIS)
    for name in KPI_NAMES:
        low, high = kpi_range(name)
        assert low < high and KPIS[name].unit and KPIS[name].description, name
        if name.endswith("_pct"):
            assert (low, high) == (0, 100), name
    ci = difference_interval("on_time_of_received_pct", [99.0, -99.0, 98.0])
    assert -100 <= ci["ci95_low"] < ci["mean"] < ci["ci95_high"] <= 100


def test_one_value_has_no_interval_and_identical_values_a_point():
    assert mean_ci95([3.0], 0, 100) == {"mean": 3.0, "ci95_low": None, "ci95_high": None}
    assert mean_ci95([0.0, 0.0, 0.0], 0, 100) == {"mean": 0.0, "ci95_low": 0.0, "ci95_high": 0.0}


def test_few_replications_are_warned_about():
    assert replication_warnings(1) and replication_warnings(MIN_REPLICATIONS - 1)
    assert replication_warnings(MIN_REPLICATIONS) == []


def test_a_two_replication_run_keeps_every_interval_in_range_and_warns(tmp_path):
    # The front office as it works, with papers missing often enough that every kind of desk visit
    # happens in each replication, so every KPI has a value.
    scenario, results = simulate("city.units=[ba_dinh,hoan_kiem,soc_son]", "replications=2", "period.end=2025-07-15",
                                 "front_office=as_it_works", "scenario.supplement_share=0.3")
    run = summarise(scenario, results)
    write_run(tmp_path, run)
    summary = json.loads((tmp_path / "summary.json").read_text())
    groups = {"city": summary["kpis"], **summary["by_kind"]}
    assert set(groups) == {"city", "ward", "commune"}
    cut = 0
    for group, table in groups.items():
        for name in KPI_NAMES:
            ci, (low, high) = table[name], kpi_range(name)
            assert ci["ci95_low"] is not None, (group, name)
            assert low <= ci["ci95_low"] <= ci["mean"] <= ci["ci95_high"] <= high, (group, name, ci)
            cut += ci["ci95_low"] == low or ci["ci95_high"] == high
    assert cut > 0  # this run has intervals the range cuts (a t interval would leave it)
    assert summary["warnings"] and "2 replications" in summary["warnings"][0]
    assert "warning: only 2 replications" in format_summary(run, top=3)

    units = pd.read_csv(tmp_path / "units.csv")
    for name in UNIT_INTERVAL_KPIS:
        low, high = kpi_range(name)
        lows, highs = units[f"{name}_ci95_low"], units[f"{name}_ci95_high"]
        assert ((low <= lows) & (lows <= units[name] + 1e-9) & (units[name] <= highs + 1e-9) & (highs <= high)).all(), name
