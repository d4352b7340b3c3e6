"""One plan builder (issues 20 and 24): a run's plans, a recommendation's candidates and the
budget's moves are all made by sim.model.unit_plan.PlanBuilder, so the same counts give the same
plan wherever they are tried."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tests.conftest import compose_config
from sim.config.build import build_scenario
from sim.experiments.recommendation import Planner, recommend_spec
from sim.model.city import CENTRE_KIND
from sim.model.scenario import UnitPlan


def same(a, b) -> bool:
    """Field by field, arrays by value (an Organisation holds numpy arrays, which ``==`` cannot judge)."""
    if dataclasses.is_dataclass(a) and type(a) is type(b):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b)
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True  # a Centre branch's area
    return a == b


# The default city as it works (counter groups, land intake, visits), and pooled counters with
# field pools, rework and the desk rota: every path of the builder.
CITIES = {
    "as_it_works": ("front_office=as_it_works",),
    "pooled_counters_field_pools": ("staff.pooling=false", "staff.rework.per_extra_field=0.08", "staff.desk_rota_share=0.2",
               "structure=five_departments_urban"),
}


@pytest.fixture(scope="module", params=list(CITIES))
def city(request):
    cfg = compose_config(*CITIES[request.param])
    return cfg, build_scenario(cfg)


def test_the_builder_given_a_plans_own_officers_and_counters_returns_the_plan(city):
    _, scenario = city
    builder = scenario.plan_builder
    assert any(plan.unit.kind == CENTRE_KIND for plan in scenario.units)
    for plan in scenario.units:
        again = builder.plan(plan.unit, plan.organisation.structure, plan.staff, plan.desks_by_group or plan.desks,
                             plan.records_per_day, plan.intake_per_day)
        assert isinstance(again, UnitPlan) and same(again, plan), plan.unit.slug


def test_a_total_of_counters_is_split_as_the_run_splits_it(city):
    """No desks.groups.per_unit in these cities: every node's counters are its total split by the rule."""
    _, scenario = city
    for plan in scenario.units:
        assert same(scenario.plan_builder.replan(plan, counters=plan.desks), plan), plan.unit.slug


def test_a_recommendation_applied_at_todays_counts_is_the_runs_plan(city):
    """Recommendation and run agree: Planner.apply(plan, Planner.current(plan)) is the plan, at
    every unit and every Centre branch (whose one total the rule splits over the groups)."""
    cfg, scenario = city
    planner = Planner.of(cfg, scenario, recommend_spec(cfg))
    assert scenario.back_office.enabled  # the officers are part of the vector
    for plan in scenario.units:
        assert same(planner.apply(plan, planner.current(plan)), plan), plan.unit.slug


def test_a_planner_moving_one_officer_changes_that_department_only():
    cfg = compose_config("city.units=[ba_dinh]", "centre.enabled=false")
    scenario = build_scenario(cfg)
    planner = Planner.of(cfg, scenario, recommend_spec(cfg))
    plan = scenario.units[0]
    vector = planner.current(plan)
    first = len(vector) - len(plan.staff)
    moved = planner.apply(plan, vector[:first] + (plan.staff[0] + 1,) + vector[first + 1:])
    assert moved.staff == (plan.staff[0] + 1, *plan.staff[1:])
    assert moved.desk_plan == plan.desk_plan and moved.organisation.structure == plan.organisation.structure
