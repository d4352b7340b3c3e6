"""The fast engine against the event-driven SimPy reference: the same workload must give the same
outcome, record by record, under every desk and back-office policy."""

import numpy as np
import pytest

from sim.engines import fast as engine, reference as engine_simpy
from sim.engines.outcome import ABANDONED, AT_DESK, AWAY, BACK_OFFICE, DESK_QUEUE, DONE
from sim.experiments.runner import calendar_for, unit_streams
from sim.engines.workload import draw_workload
from tests.conftest import scenario_from

UNITS = "city.units=[hoan_kiem,soc_son]"
THREE_WEEKS = "period.end=2025-07-21"
# Few desks and impatient citizens: queues, reneging and returns all happen.
BUSY_DESKS = ("desks.rule=fixed", "desks.fixed=1", "desks.patience_minutes.mean=30")

POLICIES = {
    "default": (),
    "busy desks, overtime": BUSY_DESKS,
    "busy desks, sent home at closing": (*BUSY_DESKS, "desks.closing=return_next_day"),
    # One desk, nobody leaves: the day's overtime runs past midnight, into the horizon.
    "one desk, no reneging, no Saturday": ("desks.reneging=false", "desks.rule=fixed", "desks.fixed=1",
                                           "calendar.saturday_morning=false"),
    "earliest deadline first, thin staff": ("staff.order=edf", "staff.rule=fixed", "staff.fixed=2"),
    "daily approval cap": ("staff.approvals_per_day=4", "staff.deputies_per_department=1"),
    "cap with edf, sent home": ("staff.approvals_per_day=3", "staff.order=edf", *BUSY_DESKS,
                                "desks.closing=return_next_day"),
    "five departments, no pooling": ("structure=five_departments_urban", "staff.pooling=false"),
    "no back office": ("scenario.back_office=false",),
}


def both_engines(*overrides: str):
    scenario = scenario_from(UNITS, THREE_WEEKS, *overrides)
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    for plan in scenario.units:
        workload = draw_workload(scenario, plan, calendar, unit_streams(scenario.seed, 0, plan.unit.index))
        args = (workload, calendar, plan.desks, plan.organisation, scenario.desk_policy, scenario.back_office)
        yield engine.simulate_unit(*args), engine_simpy.simulate_unit(*args)


@pytest.mark.parametrize("overrides", POLICIES.values(), ids=POLICIES.keys())
def test_fast_engine_reproduces_the_simpy_reference(overrides):
    for fast, reference in both_engines(*overrides):
        np.testing.assert_array_equal(fast.stage, reference.stage)
        for name in ("receipt", "due", "done", "desk_start", "desk_end", "desk_wait", "abandoned_at",
                     "staff_busy", "approver_busy"):
            np.testing.assert_allclose(getattr(fast, name), getattr(reference, name), rtol=1e-9, atol=1e-6,
                                       err_msg=name)
        for name in ("visit_enter", "visit_exit"):  # the same stays, logged in another order
            np.testing.assert_allclose(np.sort(getattr(fast, name)), np.sort(getattr(reference, name)),
                                       rtol=1e-9, atol=1e-6, err_msg=name)


def test_the_comparison_covers_every_outcome_class():
    """The policies above are only a check if records end in every stage somewhere."""
    stages = set()
    for overrides in POLICIES.values():
        for fast, _ in both_engines(*overrides):
            stages.update(np.unique(fast.stage).tolist())
    assert {DESK_QUEUE, AT_DESK, AWAY, BACK_OFFICE, DONE, ABANDONED} <= stages


def test_engine_is_chosen_by_config():
    assert scenario_from(UNITS).engine == "fast"
    assert scenario_from(UNITS, "engine=simpy").engine == "simpy"
