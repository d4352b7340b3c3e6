"""A run's results up to a date do not depend on when the run ends: the first weeks of a run are,
record by record and day by day, the same weeks of a longer run with the same seed, in every
engine and with every mechanism on (a City Centre branch, overtime, an opening stock, desk-only
visits, counter groups, the land intake cap, booked numbers, reneging, earliest deadline first)."""

import numpy as np
import pytest

from sim.engines import rules
from sim.engines.contract import ENGINES
from sim.experiments.runner import calendar_for, unit_workload
from tests.conftest import scenario_from

EVERYTHING = ("front_office=as_it_works", "city.units=[hoan_kiem,centre_branch_07]", "centre.records_per_day=1200",
              "staff.overtime.enabled=true", "staff.overtime.threshold_records_per_officer=2",
              "staff.overtime.max_hours_per_week=7", "staff.order=edf", "stock.source=handover",
              "stock.days_of_stock=5", "desks.booking.enabled=true", "desks.booking.start=2025-07-07",
              "desks.booking.share=0.3", "desks.patience_minutes.mean=15", "scenario.supplement_share=0.3")
SHORT, LONG = "2025-07-18", "2025-08-06"  # a Friday, and a Wednesday: the mean working minutes a day differ
EVENTS = ("receipt", "desk_start", "desk_end", "abandoned_at", "reviewed", "done")


def run(engine: str, end: str, monkeypatch) -> list[dict]:
    """Per unit: its plan, workload and outcome, and each staff pool's overtime minutes per day."""
    pools: list[rules.OvertimeDays] = []
    made = rules.OvertimeDays.__init__

    def spied(self, *args, **kwargs):
        made(self, *args, **kwargs)
        pools.append(self)

    monkeypatch.setattr(rules.OvertimeDays, "__init__", spied)
    scenario = scenario_from(*EVERYTHING, f"period.end={end}")
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    units = []
    for position, plan in enumerate(scenario.units):
        w = unit_workload(scenario, 0, position, calendar)
        del pools[:]
        outcome = ENGINES.get(engine)(w, calendar, plan.desk_plan, plan.organisation, scenario.desk_policy,
                                      scenario.back_office)
        overtime = [np.subtract(p.work_end, p.plan.last_end)[:calendar.days] for p in pools]
        units.append(dict(plan=plan, workload=w, outcome=outcome, overtime=overtime, horizon=calendar.horizon))
    monkeypatch.undo()
    return units


def records_before(w, cut: float) -> np.ndarray:
    """The records that arrive before ``cut`` (the opening stock: all), in person, remote, stock, each
    block in order of arrival (ties by effort: the workload's own order may differ by a rounding)."""
    block = np.where(np.arange(len(w)) < w.n_in_person, 0, 1)
    block[w.opening] = 2
    rows = np.flatnonzero(w.arrival < cut)
    return rows[np.lexsort((w.effort_minutes[rows], w.arrival[rows], block[rows]))]


def before(times: np.ndarray, cut: float) -> np.ndarray:
    """Event times, nan for those at or after ``cut`` (not happened yet)."""
    return np.where(times < cut, times, np.nan)


@pytest.mark.parametrize("engine", sorted(ENGINES.names()))
def test_the_first_weeks_of_a_run_are_the_same_weeks_of_a_longer_run(engine, monkeypatch):
    short, long = run(engine, SHORT, monkeypatch), run(engine, LONG, monkeypatch)
    checked = set()
    for a, b in zip(short, long):
        cut = a["horizon"]
        ra, rb = records_before(a["workload"], cut), records_before(b["workload"], cut)
        wa, wb = a["workload"], b["workload"]
        assert len(ra) == len(rb), "the same records arrive before the shorter run's end"
        np.testing.assert_allclose(wa.arrival[ra], wb.arrival[rb], rtol=1e-12, atol=1e-6)
        np.testing.assert_array_equal(wa.effort_minutes[ra], wb.effort_minutes[rb])
        for name in EVENTS:
            np.testing.assert_allclose(before(getattr(a["outcome"], name)[ra], cut),
                                       before(getattr(b["outcome"], name)[rb], cut), rtol=1e-12, atol=1e-6,
                                       err_msg=f"{a['plan'].unit.slug}: {name}")
        assert a["plan"].organisation.pool_staff == b["plan"].organisation.pool_staff, "the same staff"
        reviewed = ~np.isnan(before(a["outcome"].reviewed[ra], cut))  # a due date moved by papers at review
        np.testing.assert_allclose(a["outcome"].due[ra][reviewed], b["outcome"].due[rb][reviewed], rtol=1e-12)
        assert len(a["overtime"]) == len(b["overtime"]) > 0
        for x, y in zip(a["overtime"], b["overtime"]):
            np.testing.assert_array_equal(x, y[:len(x)], err_msg=f"{a['plan'].unit.slug}: overtime by day")
            checked.add("overtime" if x.any() else "no overtime")
        checked.add(a["plan"].unit.kind)
        for name in EVENTS:
            if (~np.isnan(before(getattr(a["outcome"], name)[ra], cut))).any():
                checked.add(name)
        if wa.opening.any():
            checked.add("stock")
    # the comparison is only a check if every mechanism acts before the cut
    assert {"centre", "ward", "overtime", "stock", *EVENTS} <= checked, checked
