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
    "pooled_counters_field_pools": ("staff.pooling=false", "staff.rework.per_extra_field=0.08",
                                    "staff.desk_rota_share=0.2", "structure=five_departments_urban"),
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


def test_a_structure_plan_moves_officers_as_a_run_of_that_structure_does():
    """staff_under (a structure plan at recommended counts) and department_staff (a run's
    staffing rule) share one rule, sim.model.structures.staff_moved: from the same officers under
    the base structure they give the same officers under the new one."""
    from sim.experiments.structure_plan import staff_under
    from sim.model.staffing import department_effort, field_effort
    from sim.model.structures import department_staff

    scenario = build_scenario(compose_config("city.units=[hoan_kiem]", "centre.enabled=false"))
    three = scenario.units[0].organisation.structure
    four = build_scenario(compose_config("city.units=[hoan_kiem]", "centre.enabled=false",
                                         "structure=four_departments_land")).units[0].organisation.structure
    effort = field_effort(scenario.procedures, "ward")
    workload = lambda d: department_effort(d, effort)  # noqa: E731
    for policy in ("same_headcount", "extra_head"):
        for total in (7, 16, 40):
            base = dict(zip(three.department_names, department_staff(three, total, policy, workload, 1)))
            assert list(staff_under(four, three, base, policy, effort, 1).values()) == \
                department_staff(four, total, policy, workload, 1)
