"""Deadline and working-time arithmetic on the calendar the main job uses (1 July 2025 is a Tuesday)."""

import datetime as dt

import pytest

from sim.model.calendar import MINUTES_PER_DAY, WorkCalendar
from tests.conftest import scenario_from

START = dt.date(2025, 7, 1)


def calendar(*overrides: str) -> WorkCalendar:
    scenario = scenario_from(*overrides)
    return WorkCalendar(scenario.calendar, scenario.start, scenario.days)


def at(date: str, clock: str) -> float:
    h, m = map(int, clock.split(":"))
    return (dt.date.fromisoformat(date) - START).days * MINUTES_PER_DAY + h * 60 + m


def close_of(date: str) -> float:
    return at(date, "17:00")


@pytest.mark.parametrize(
    "received, deadline_wd, due_date",
    [
        (("2025-07-01", "10:00"), 0, "2025-07-01"),  # same day, before 15:00
        (("2025-07-01", "15:00"), 0, "2025-07-01"),  # at 15:00 is not after 15:00
        (("2025-07-01", "15:01"), 0, "2025-07-02"),  # after the cut-off: next working day
        (("2025-07-04", "16:00"), 0, "2025-07-07"),  # Friday after 15:00: Monday
        (("2025-07-05", "09:00"), 0, "2025-07-07"),  # Saturday opening does not count: Monday
        (("2025-07-05", "09:00"), 3, "2025-07-10"),  # counted from Monday
        (("2025-07-06", "23:00"), 2, "2025-07-09"),  # online on Sunday night
        (("2025-07-07", "18:00"), 0, "2025-07-08"),  # online after close of business
        (("2025-07-07", "18:00"), 1, "2025-07-09"),
        (("2025-07-01", "09:00"), 3, "2025-07-04"),  # household business, 3 wd
        (("2025-07-01", "09:00"), 17, "2025-07-24"),  # land first registration, 17 wd
        (("2025-08-29", "10:00"), 3, "2025-09-05"),  # across the 1-2 September holidays
        (("2025-08-29", "16:00"), 0, "2025-09-03"),  # same-day rule across the holidays
    ],
)
def test_due_time(received, deadline_wd, due_date):
    assert calendar().due_time(at(*received), deadline_wd) == close_of(due_date)


def test_holidays_can_be_changed():
    cal = calendar("calendar.holidays=[]")
    assert cal.due_time(at("2025-08-29", "10:00"), 3) == close_of("2025-09-03")


def test_work_pauses_over_lunch_and_nights():
    cal = calendar()
    assert cal.finish_after(at("2025-07-01", "11:30"), 60) == at("2025-07-01", "14:00")
    assert cal.finish_after(at("2025-07-01", "16:30"), 60) == at("2025-07-02", "08:30")
    assert cal.finish_after(at("2025-07-01", "20:00"), 30) == at("2025-07-02", "08:30")
    # 7.5 session hours a weekday: 450 minutes from Tuesday 08:00 end at Tuesday 17:00
    assert cal.finish_after(at("2025-07-01", "08:00"), 450) == at("2025-07-01", "17:00")
    assert cal.minutes_per_working_day == 450


def test_saturday_switch():
    friday_late = at("2025-07-04", "16:30")
    assert calendar().finish_after(friday_late, 60) == at("2025-07-05", "08:30")
    assert calendar("calendar.saturday_morning=false").finish_after(friday_late, 60) == at("2025-07-07", "08:30")
    assert calendar("calendar.saturday_morning=false").due_time(at("2025-07-05", "09:00"), 0) == close_of("2025-07-07")


def test_no_work_on_holidays():
    cal = calendar("period.end=2025-09-05")
    assert cal.finish_after(at("2025-08-30", "11:30"), 60) == at("2025-09-03", "08:30")


def test_working_minutes_inverts_finish_after():
    cal = calendar()
    import numpy as np

    starts = np.array([at("2025-07-01", "07:00"), at("2025-07-03", "12:45"), at("2025-07-05", "10:00")])
    for t in starts:
        for work in (1.0, 200.0, 1000.0):
            done = cal.finish_after(t, work)
            w = cal.working_minutes(np.array([t, done]))
            assert w[1] - w[0] == pytest.approx(work)
