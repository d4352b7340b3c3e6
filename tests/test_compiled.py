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


# --- the staff stage with overtime (sim.engines.compiled_overtime) --------------------------------
from functools import lru_cache  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sim.engines import compiled_overtime, rules  # noqa: E402
from sim.engines.fast import serve_with_overtime_python  # noqa: E402
from sim.engines.rules import OvertimeDays, OvertimePlan  # noqa: E402
from sim.model.scenario import OvertimePolicy  # noqa: E402
from tests.test_engines import OVERTIME_POLICIES, POLICIES, THREE_WEEKS, UNITS  # noqa: E402


@lru_cache(maxsize=None)
def july():
    """July 2025 with its Saturday mornings (the default calendar), built once for every example."""
    scenario = scenario_from(*SMALL)
    return calendar_for(scenario.calendar, scenario.start, scenario.days)


def overtime_case(seed: int, trigger: str, max_minutes_per_week: float, saturdays: bool):
    """A random staff pool with overtime: arrivals in the month (ties, a backlog at the start),
    work up to days long (some none, so work in hand at the horizon), few priority classes or
    due-date-like ones, 1 to 6 officers, a threshold that calls overtime on some days and not others."""
    calendar = july()
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 300))
    arrival = np.round(rng.uniform(-600, calendar.horizon - 1, n), int(rng.integers(0, 3)))
    if rng.random() < 0.3:
        arrival[: n // 3] = 0.0
    work = rng.exponential(rng.uniform(5, 900), n) * (rng.random(n) > 0.05)
    priority = rng.integers(0, 4, n) if rng.random() < 0.5 else rng.uniform(0, calendar.horizon, n)  # fifo-like, edf
    servers = int(rng.integers(1, 7))
    policy = OvertimePolicy(enabled=True, threshold_records_per_officer=float(rng.choice([0, 1, 2, 5])),
                            minutes_per_day=float(rng.choice([60, 120, 180, 250])), saturdays=saturdays,
                            max_minutes_per_week=max_minutes_per_week, trigger=trigger,
                            threshold_days=float(rng.choice([0.25, 0.5, 1, 2])))
    return arrival, priority, work, servers, OvertimePlan(calendar, policy)


def both_overtime(arrival, priority, work, servers, plan):
    """(compiled, Python): each the returned (start, finish, busy) and the OvertimeDays after it."""
    ours, theirs = OvertimeDays(plan, servers), OvertimeDays(plan, servers)
    served = compiled_overtime.serve(arrival, priority, work, servers, ours)
    assert served is not None
    return (served, ours), (serve_with_overtime_python(arrival, priority, work, servers, theirs), theirs)


def assert_same_overtime(a, b) -> None:
    (served, ours), (expected, theirs) = a, b
    assert _bits(served[0]) == _bits(expected[0]) and _bits(served[1]) == _bits(expected[1])
    assert _bits([served[2]]) == _bits([expected[2]])  # busy minutes
    assert _bits(ours.work_end) == _bits(theirs.work_end)
    assert _bits([ours.officer_minutes]) == _bits([theirs.officer_minutes])
    assert ours.decided == theirs.decided and ours.next_instant == theirs.next_instant
    assert ours.used_by_week == theirs.used_by_week and list(ours.used_by_week) == list(theirs.used_by_week)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2 ** 32 - 1), trigger=st.sampled_from(["records", "work"]),
       max_minutes_per_week=st.sampled_from([0.0, 240.0, 420.0]), saturdays=st.booleans())
def test_compiled_overtime_equals_the_python_one_bit_for_bit(seed, trigger, max_minutes_per_week, saturdays):
    case = overtime_case(seed, trigger, max_minutes_per_week, saturdays)
    assert_same_overtime(*both_overtime(*case))


def test_the_random_overtime_cases_cover_what_they_should():
    """Days with and without overtime, a weekly limit that binds, Saturdays, work cut by the horizon."""
    seen = dict(overtime=0, no_overtime_day=0, limit_binds=0, saturday=0, cut=0)
    for seed in range(40):
        trigger, limit, saturdays = ("records", "work")[seed % 2], (0.0, 240.0)[seed // 2 % 2], seed % 3 == 0
        arrival, priority, work, servers, plan = overtime_case(seed, trigger, limit, saturdays)
        (served, ours), theirs = both_overtime(arrival, priority, work, servers, plan)
        assert_same_overtime((served, ours), theirs)
        extra = np.subtract(ours.work_end, plan.last_end)
        decided = np.asarray(plan.decision_days)
        seen["overtime"] += ours.officer_minutes > 0
        seen["no_overtime_day"] += ours.officer_minutes > 0 and (extra[decided] == 0).any()
        seen["limit_binds"] += limit > 0 and any(0 < v < plan.policy.minutes_per_day
                                                 for v in np.diff([0.0, *ours.used_by_week.values()]))
        seen["saturday"] += saturdays and any(extra[d] > 0 and not july().is_working_day[d] for d in decided)
        seen["cut"] += bool((~np.isnan(served[0]) & np.isnan(served[1])).any())
    assert all(count >= 2 for count in seen.values()), seen


def test_overtime_the_kernel_does_not_take_goes_to_python(monkeypatch):
    arrival, priority, work, servers, plan = overtime_case(1, "work", 0.0, False)
    days = OvertimeDays(plan, servers)
    assert compiled_overtime.serve(arrival, np.where(arrival > 0, priority, np.nan), work, servers, days) is None
    assert compiled_overtime.serve(np.append(arrival, july().horizon), np.append(priority, 0),
                                   np.append(work, 1.0), servers, days) is None  # past the horizon
    assert days.decided == 0 and days.officer_minutes == 0  # left as it was
    monkeypatch.setitem(rules.OVERTIME_TRIGGERS._items, "work", lambda *args: True)  # a built-in replaced
    assert compiled_overtime.serve(arrival, priority, work, servers, days) is None
    monkeypatch.setitem(rules.OVERTIME_TRIGGERS._items, "always", lambda *args: True)  # a user's trigger
    mine = OvertimePlan(july(), dataclasses.replace(plan.policy, trigger="always"))
    assert compiled_overtime.serve(arrival, priority, work, servers, OvertimeDays(mine, servers)) is None


def test_sim_no_compile_turns_both_kernels_off(monkeypatch):
    monkeypatch.setattr(compiled, "_kernel", None)  # not made yet in this process (restored after)
    monkeypatch.setenv("SIM_NO_COMPILE", "1")
    arrival, priority, work, servers, plan = overtime_case(2, "records", 0.0, False)
    assert compiled.serve(arrival, priority, work, servers, july()) is None
    assert compiled_overtime.serve(arrival, priority, work, servers, OvertimeDays(plan, servers)) is None


# The default (the calibrated overtime: trigger "work"), the overtime mixes of tests/test_engines.py
# (the "records" trigger, "work" with other duties, Saturdays with a weekly limit and edf), and two
# more of its mixes with the overtime on: past midnight into the horizon, an overdue opening stock.
RUNS = {"default": (), **{name: POLICIES[name] for name in OVERTIME_POLICIES},
        **{name: (*POLICIES[name], "staff.overtime.enabled=true") for name in (
            "one desk, no reneging, no Saturday", "opening stock, overdue, edf, thin staff, papers")}}


@pytest.mark.parametrize("overrides", RUNS.values(), ids=RUNS.keys())
def test_a_run_with_overtime_is_the_same_compiled_or_not(overrides, monkeypatch):
    scenario = scenario_from(UNITS, THREE_WEEKS, *overrides)
    assert scenario.back_office.overtime.enabled
    used = []
    serve = compiled_overtime.serve
    monkeypatch.setattr(compiled_overtime, "serve", lambda *args: used.append(serve(*args)) or used[-1])
    with_kernel = _outcome_hash(scenario)
    assert used and all(served is not None for served in used)  # the kernel ran every pool
    monkeypatch.setattr(compiled, "_kernel", False)  # as where numba is missing
    assert _outcome_hash(scenario) == with_kernel
    assert used[-1] is None
