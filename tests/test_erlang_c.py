"""The desk model against queueing theory: an always-open unit with Poisson arrivals, exponential
service, c desks and no back office is an M/M/c queue, whose mean wait Erlang C gives exactly."""

import datetime as dt

import numpy as np
import pytest

from sim.analysis.queueing import erlang_c_wait
from sim.analysis.unit_counts import COUNTS
from tests.conftest import scenario_from, simulate

SERVICE_MEAN = 10.0  # minutes, sim/conf/procedures/single_exponential.yaml
UNIT = "ba_dinh"


@pytest.mark.parametrize(
    "desks, load, days",
    [(1, 0.5, 180), (2, 0.7, 150), (4, 0.8, 90)],
)
def test_mean_desk_wait_matches_erlang_c(desks, load, days):
    arrival_rate = load * desks / SERVICE_MEAN  # per minute
    population = scenario_from(f"city.units=[{UNIT}]").units[0].unit.population
    per_1000_per_day = arrival_rate * 1440 * 1000 / population
    end = dt.date(2025, 7, 1) + dt.timedelta(days=days - 1)
    scenario, results = simulate(
        "+experiment=erlang_check", f"city.units=[{UNIT}]", f"desks.fixed={desks}",
        f"scenario.demand.records_per_1000_residents_per_day={per_1000_per_day}",
        f"period.end={end.isoformat()}", "replications=12", workers=2,
    )
    served = np.array([rep[0].counts[COUNTS.index("served_at_desk")] for rep in results])
    waited = np.array([rep[0].counts[COUNTS.index("desk_wait_sum")] for rep in results])
    simulated = waited.sum() / served.sum()
    expected = erlang_c_wait(arrival_rate, SERVICE_MEAN, desks)
    assert served.sum() > 80_000
    assert simulated == pytest.approx(expected, rel=0.05), (simulated, expected)
