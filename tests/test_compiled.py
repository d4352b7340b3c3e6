"""The compiled staff stage (sim.engines.compiled) gives the pure-Python serve_in_sessions' start and
finish times to the last bit, on random queues and in whole runs."""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
import pytest

pytest.importorskip("numba")

from sim.engines import compiled  # noqa: E402
from sim.engines.fast import serve_in_sessions_python  # noqa: E402
from sim.experiments.runner import calendar_for, simulate_records  # noqa: E402
from tests.conftest import scenario_from  # noqa: E402

SMALL = ("city.units=[ba_dinh,soc_son]", "centre.enabled=false", "period.end=2025-07-31", "replications=1")


def _bits(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a, dtype=np.float64).tobytes()  # nan's bits included


@pytest.fixture(scope="module")
def calendar():
    scenario = scenario_from(*SMALL)
    return calendar_for(scenario.calendar, scenario.start, scenario.days)


@pytest.mark.parametrize("seed", range(40))
def test_compiled_queue_equals_the_python_one_bit_for_bit(seed, calendar):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 400))
    horizon = calendar.horizon
    arrival = np.round(rng.uniform(-600, horizon * 1.05, n), int(rng.integers(0, 3)))  # ties among arrivals
    if rng.random() < 0.3:
        arrival[: n // 3] = 0.0  # a backlog at the start
    work = rng.exponential(rng.uniform(5, 600), n) * (rng.random(n) > 0.05)  # some items need no work
    if rng.random() < 0.5:
        priority = rng.integers(0, 4, n)  # few classes: ties broken by arrival
    else:
        priority = rng.uniform(0, horizon, n)
    servers = int(rng.integers(0, 6))
    per_day = int(rng.choice([0, 0, 1, 3, 10]))
    ours = compiled.serve(arrival, priority, work, servers, calendar, per_day)
    assert ours is not None
    theirs = serve_in_sessions_python(arrival, priority, work, servers, calendar, per_day)
    assert _bits(ours[0]) == _bits(theirs[0]) and _bits(ours[1]) == _bits(theirs[1])
    if n and servers:
        assert np.isfinite(theirs[1]).any()  # a case with work done, not only nan


def test_inputs_the_kernel_does_not_take_go_to_python(calendar):
    arrival, work = np.zeros(3), np.ones(3)
    assert compiled.serve(arrival, np.array([0.0, np.nan, 1.0]), work, 1, calendar) is None
    assert compiled.serve(arrival, np.array([0, 2 ** 60, 1]), work, 1, calendar) is None


def _outcome_hash(scenario) -> str:
    digest = hashlib.sha256()
    for position in range(len(scenario.units)):
        _, _, outcome = simulate_records(scenario, 0, position)
        for field in dataclasses.fields(outcome):
            value = getattr(outcome, field.name)
            if isinstance(value, np.ndarray):
                digest.update(field.name.encode() + np.ascontiguousarray(value).tobytes())
    return digest.hexdigest()


@pytest.mark.parametrize("overrides", [(), ("front_office=as_it_works", "staff.order=edf")])
def test_a_run_is_the_same_compiled_or_not(overrides, monkeypatch):
    scenario = scenario_from(*SMALL, *overrides)
    with_kernel = _outcome_hash(scenario)
    monkeypatch.setattr(compiled, "_kernel", False)  # as where numba is missing
    assert compiled.serve(np.zeros(1), np.zeros(1), np.ones(1), 1, calendar_for(
        scenario.calendar, scenario.start, scenario.days)) is None
    assert _outcome_hash(scenario) == with_kernel
