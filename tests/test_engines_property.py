"""The engines against the SimPy reference on random small workloads (hypothesis): random seeds,
desks, staff, approvers, mechanisms on or off, and every queue order and closing rule registered
(the built-in ones and those tests/test_engines.py registers), one week of one unit, record by record.

Building a scenario from the configuration takes seconds, so two are built once (the minimal front
office, and the front office as it works: counter groups, the land intake cap, desk-only visits,
door arrivals) and each example varies them with ``dataclasses.replace``: the engines take
everything they simulate from the workload, the unit's plan and the two policies.
"""

import dataclasses
from contextlib import contextmanager
from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.engines.contract import ENGINES
from sim.engines.rules import CLOSING_RULES, QUEUE_ORDERS
from sim.experiments.runner import calendar_for, unit_workload
from sim.model.stock import StockPolicy
from tests.conftest import scenario_from
from tests.test_engines import TEST_CLOSING_RULES, TEST_ORDERS, assert_engines_agree

ONE_WEEK = ("city.units=[hoan_kiem]", "period.end=2025-07-08", "stock.source=handover", "stock.days_of_stock=4",
            "scenario.supplement_share=0.3")


@contextmanager
def registered(registry, items: dict):
    """``items`` registered in ``registry`` for the time of the block (the test's own plug-ins)."""
    registry._items.update(items)
    try:
        yield
    finally:
        for name in items:
            del registry._items[name]


@lru_cache(maxsize=None)
def base(front_office: str):
    scenario = scenario_from(f"front_office={front_office}", *ONE_WEEK)
    return scenario, calendar_for(scenario.calendar, scenario.start, scenario.days)


@st.composite
def cases(draw):
    """A scenario of one unit varied at random, and its calendar."""
    scenario, calendar = base(draw(st.sampled_from(["submissions_only", "as_it_works"])))
    plan = scenario.units[0]
    organisation = dataclasses.replace(
        plan.organisation,
        pool_staff=tuple(draw(st.integers(1, 3)) for _ in plan.organisation.pool_staff),
        approvers=tuple(draw(st.integers(1, 2)) for _ in plan.organisation.approvers))
    if plan.desks_by_group:  # counter groups: a few desks each, some groups without one
        by_group = [draw(st.integers(0, 2)) for _ in plan.desks_by_group]
        by_group[draw(st.integers(0, len(by_group) - 1))] += 1
        plan = dataclasses.replace(plan, desks_by_group=tuple(by_group), desks=sum(by_group))
    else:
        plan = dataclasses.replace(plan, desks=draw(st.integers(1, 4)))
    plan = dataclasses.replace(plan, organisation=organisation)
    desk_policy = dataclasses.replace(scenario.desk_policy, closing=draw(st.sampled_from((*CLOSING_RULES.names(), *TEST_CLOSING_RULES))),
                                      reneging=draw(st.booleans()))
    overtime = dataclasses.replace(scenario.back_office.overtime, enabled=draw(st.booleans()),
                                   threshold_records_per_officer=draw(st.integers(0, 6)))
    back_office = dataclasses.replace(scenario.back_office, enabled=draw(st.booleans()),
                                      order=draw(st.sampled_from((*QUEUE_ORDERS.names(), *TEST_ORDERS))),
                                      approvals_per_day=draw(st.integers(0, 4)), overtime=overtime)
    scenario = dataclasses.replace(scenario, seed=draw(st.integers(0, 2**31 - 1)), units=(plan,),
                                   desk_policy=desk_policy, back_office=back_office,
                                   stock=scenario.stock if draw(st.booleans()) else StockPolicy())
    return scenario, calendar


@settings(max_examples=12, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_engines_agree_on_random_small_workloads(case):
    scenario, calendar = case
    plan = scenario.units[0]
    workload = unit_workload(scenario, 0, 0, calendar)
    args = (workload, calendar, plan.desk_plan, plan.organisation, scenario.desk_policy, scenario.back_office)
    with registered(QUEUE_ORDERS, TEST_ORDERS), registered(CLOSING_RULES, TEST_CLOSING_RULES):
        assert_engines_agree({name: ENGINES.get(name)(*args) for name in ENGINES.names()})
