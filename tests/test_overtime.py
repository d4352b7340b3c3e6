"""Overtime as officials practise it: a department whose backlog is large stays late, within the
daily and weekly limits, and buys on-time records with the hours (staff.overtime)."""

import numpy as np
import pytest

from sim.analysis.kpis import department_kpis, pooled_kpis
from sim.analysis.summary import summarise
from sim.analysis.unit_counts import DEPARTMENT_COUNTS
from sim.errors import ConfigError
from sim.outputs.run_files import format_summary
from tests.conftest import scenario_from, simulate

# One unit with too few officers for its demand, over three whole weeks (Monday 7 to Sunday 27 July).
OVERLOADED = ("city.units=[soc_son]", "period.start=2025-07-07", "period.end=2025-07-27", "replications=1",
              "staff.rule=fixed", "staff.fixed=3")
OVERTIME = ("staff.overtime.enabled=true", "staff.overtime.threshold_records_per_officer=3")
WORKING_DAYS = 15


def city(*overrides):
    scenario, results = simulate(*OVERLOADED, *overrides)
    return scenario, results[0]


def test_overtime_buys_on_time_records_for_an_overloaded_unit():
    _, without = city("staff.overtime.enabled=false")  # the shipped scenarios switch it on
    _, with_overtime = city(*OVERTIME)
    before, after = pooled_kpis(without), pooled_kpis(with_overtime)
    assert before["overtime_hours"] == 0 and after["overtime_hours"] > 0
    assert after["processed"] > before["processed"]
    assert after["on_time_of_received_pct"] > before["on_time_of_received_pct"] + 1
    # The extra sessions count in the officers' time: utilisation stays a share of the time at work.
    assert after["staff_utilisation"] <= 1 + 1e-9
    for row in with_overtime[0].departments:
        assert department_kpis(row)["staff_utilisation"] <= 1 + 1e-9


@pytest.mark.parametrize("hours_per_day, max_hours_per_week", [(3, 0), (4, 5)])
def test_overtime_hours_respect_the_daily_and_weekly_limits(hours_per_day, max_hours_per_week):
    scenario, results = city(*OVERTIME, f"staff.overtime.hours_per_day={hours_per_day}",
                             f"staff.overtime.max_hours_per_week={max_hours_per_week}")
    departments = results[0].departments
    hours = departments[:, DEPARTMENT_COUNTS.index("overtime_hours")]
    staff = np.asarray(scenario.units[0].organisation.staff)
    per_officer = hours / staff
    assert (per_officer <= hours_per_day * WORKING_DAYS).all()  # no Saturday overtime by default
    if max_hours_per_week:
        assert (per_officer <= max_hours_per_week * 3 + 1e-9).all()
        assert pooled_kpis(results)["overtime_hours_per_officer_week"] <= max_hours_per_week + 1e-9
        assert per_officer.max() == pytest.approx(max_hours_per_week * 3)  # the busiest stays late every week
    else:  # an officer stays for the whole extra session or not at all: whole multiples of it
        np.testing.assert_allclose(np.round(per_officer / hours_per_day) * hours_per_day, per_officer, atol=1e-9)


@pytest.mark.parametrize("overrides, key", [
    (("staff.overtime.enabled=true", "staff.overtime.hours_per_day=8"), "staff.overtime.hours_per_day"),
    (("staff.overtime.threshold_records_per_officer=-1",), "staff.overtime.threshold_records_per_officer"),
    (("staff.overtime.hours_per_day=nan",), "staff.overtime.hours_per_day"),
    (("staff.overtime.max_hours_per_week=-2",), "staff.overtime.max_hours_per_week"),
    (("staff.overtime.enabled=true", "calendar.always_open=true"), "staff.overtime.enabled"),
    # Saturday's session ending 22:00, three hours after it run past midnight.
    (("staff.overtime.enabled=true", "staff.overtime.saturdays=true", "calendar.saturday_sessions=[13:00-22:00]"),
     "staff.overtime.hours_per_day"),
])
def test_bad_overtime_settings_are_refused_naming_the_key(overrides, key):
    with pytest.raises(ConfigError) as refused:
        scenario_from("city.units=[ba_dinh]", *overrides)
    assert refused.value.key == key


def test_a_late_saturday_limits_overtime_only_when_saturdays_have_overtime():
    policy = scenario_from("city.units=[ba_dinh]", "staff.overtime.enabled=true",
                           "calendar.saturday_sessions=[13:00-22:00]").back_office.overtime
    assert policy.enabled and not policy.saturdays and policy.minutes_per_day == 180


@pytest.mark.parametrize("enabled", [False, True])
def test_the_printed_summary_shows_overtime_when_it_is_enabled(enabled):
    overrides = ("city.units=[soc_son]", "period.end=2025-07-08", "replications=1", *OVERTIME[1:],
                 f"staff.overtime.enabled={str(enabled).lower()}")
    scenario, results = simulate(*overrides)
    run = summarise(scenario, results)
    text = format_summary(run, top=3)
    assert ("overtime_hours_per_officer_week" in text) == enabled
    assert ("overtime_h/wk" in text) == enabled
    assert {"overtime_hours", "overtime_hours_per_officer_week"} <= set(run.units.columns) & set(run.departments.columns)
