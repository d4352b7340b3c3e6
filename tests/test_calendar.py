"""Deadline and working-time arithmetic on the calendar the main job uses (1 July 2025 is a Tuesday),
hand-computed; the days off of 2026 (Tết 14-22 February); periods the calendar does not cover."""

import datetime as dt
from functools import lru_cache

import numpy as np
import pytest

from sim.engines import fast
from sim.engines.workload import draw_workload
from sim.experiments.runner import calendar_for, unit_streams
from sim.model.calendar import MINUTES_PER_DAY, WorkCalendar
from tests.conftest import scenario_from

START = dt.date(2025, 7, 1)
WORKING_DAY = 450  # session minutes of a weekday: 08:00-12:00 and 13:30-17:00


@lru_cache(maxsize=8)
def calendar(*overrides: str) -> WorkCalendar:
    """The calendar from 1 July 2025; with the default period its tail runs to mid 2027."""
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


def test_holidays_can_be_switched_off():
    cal = calendar("calendar.holidays_source=none", "calendar.extra_days_off=[]")
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


def test_work_pauses_over_a_weekend():
    cal = calendar()
    # Saturday morning is open; Sunday is not: from Saturday 11:30, one hour ends Monday 08:30.
    assert cal.finish_after(at("2025-07-05", "11:30"), 60) == at("2025-07-07", "08:30")
    # 8 h of effort from Friday 13:30: 3.5 h Friday, 4 h Saturday, the last 30 min on Monday.
    assert cal.finish_after(at("2025-07-04", "13:30"), 480) == at("2025-07-07", "08:30")


# --- waits counted in working days -----------------------------------------------------------
def test_a_twenty_working_day_wait_ends_on_the_day_the_due_date_moves_to():
    """Thursday 3 July 2025 + 20 working days (4 Saturday mornings in between) is Thursday 31 July.
    The deadline clock stops for exactly the wait: a record reviewed at 10:00 and due at 17:00 the
    same day still has 7 hours' slack when the papers arrive, not three days more."""
    cal = calendar()
    assert cal.wait_end(at("2025-07-03", "10:00"), 20 * WORKING_DAY) == at("2025-07-31", "10:00")
    assert cal.extend_due(close_of("2025-07-03"), 20) == close_of("2025-07-31")
    # From 08:00 the Thursday itself is the first of the 20 days, ending at close on 30 July; the
    # session clock, which counts Saturday mornings, would end the same minutes on 28 July.
    assert cal.wait_end(at("2025-07-03", "08:00"), 20 * WORKING_DAY) == close_of("2025-07-30")
    assert cal.finish_after(at("2025-07-03", "08:00"), 20 * WORKING_DAY) == at("2025-07-28", "16:00")


@pytest.mark.parametrize(
    "begun, working_days, ends",
    [
        (("2025-07-05", "09:00"), 1, ("2025-07-07", "17:00")),  # begun on a Saturday: Monday's day
        (("2025-07-04", "16:00"), 0.5, ("2025-07-07", "10:45")),  # 1 h Friday, 2 h 45 min Monday
        (("2025-07-01", "11:00"), 1, ("2025-07-02", "11:00")),  # across lunch and an evening
        (("2025-08-29", "10:00"), 1, ("2025-09-03", "10:00")),  # across 1-2 September 2025
        (("2026-02-13", "10:00"), 2, ("2026-02-24", "10:00")),  # across the whole Tết break
    ],
)
def test_wait_end(begun, working_days, ends):
    assert calendar().wait_end(at(*begun), working_days * WORKING_DAY) == at(*ends)


def test_wait_ends_agrees_with_wait_end():
    cal = calendar()
    begun = np.array([at("2025-07-03", "10:00"), at("2025-07-05", "09:00"), at("2025-08-29", "19:00")])
    minutes = np.array([9000.0, 450.0, 1.0])
    assert cal.wait_ends(begun, minutes).tolist() == [cal.wait_end(t, m) for t, m in zip(begun, minutes)]


# --- the calendar beyond 2025 ----------------------------------------------------------------
CLOSED_2026 = {
    "New Year": ["2026-01-01"],
    "Tết, 14-22 February": ["2026-02-14", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19",
                            "2026-02-20", "2026-02-21"],
    "Hùng Kings' day (26 April, a Sunday) observed": ["2026-04-27"],
    "30 April and 1 May": ["2026-04-30", "2026-05-01"],
    "National Day, with Monday 31 August swapped": ["2026-08-31", "2026-09-01", "2026-09-02"],
    "Vietnam Cultural Day": ["2026-11-24"],
}


@pytest.mark.parametrize("dates", CLOSED_2026.values(), ids=CLOSED_2026.keys())
def test_2026_days_off_are_closed_and_do_not_count(dates):
    cal = calendar()
    for date in dates:
        day = (dt.date.fromisoformat(date) - START).days
        assert not cal.is_working_day[day], date
        assert cal.sessions_within(day * MINUTES_PER_DAY, (day + 1) * MINUTES_PER_DAY) == [], date


def test_a_make_up_saturday_is_a_working_day():
    """Saturday 22 August 2026 is worked for Monday 31 August: full weekday hours, and it counts."""
    cal = calendar()
    assert cal.sessions_within(at("2026-08-22", "00:00"), at("2026-08-23", "00:00")) == [
        (at("2026-08-22", "08:00"), at("2026-08-22", "12:00")), (at("2026-08-22", "13:30"), at("2026-08-22", "17:00"))]
    assert cal.due_time(at("2026-08-21", "10:00"), 1) == close_of("2026-08-22")
    assert cal.due_time(at("2026-08-21", "10:00"), 2) == close_of("2026-08-24")


@pytest.mark.parametrize(
    "received, deadline_wd, due_date",
    [
        (("2026-02-12", "09:00"), 3, "2026-02-24"),  # Thu 12 (day 0), Fri 13, Mon 23, Tue 24
        (("2026-02-13", "15:30"), 0, "2026-02-23"),  # same-day rule on the eve of Tết
        (("2026-02-13", "14:00"), 0, "2026-02-13"),  # before 15:00: the same day
        (("2026-02-14", "09:00"), 0, "2026-02-23"),  # online on the Tết Saturday
        (("2026-02-02", "09:00"), 17, "2026-03-04"),  # land first registration across Tết
        (("2026-04-24", "10:00"), 3, "2026-05-04"),  # across 27 April and 30 April - 1 May
        (("2025-12-31", "10:00"), 1, "2026-01-02"),  # across New Year
    ],
)
def test_due_time_across_2026_holidays(received, deadline_wd, due_date):
    assert calendar().due_time(at(*received), deadline_wd) == close_of(due_date)


def test_work_pauses_over_tet():
    cal = calendar()
    assert cal.finish_after(at("2026-02-13", "16:30"), 60) == at("2026-02-23", "08:30")


def test_a_2026_run_neither_works_nor_falls_due_on_days_off():
    scenario = scenario_from("city.units=[ba_dinh]", "period.start=2026-01-01", "period.end=2026-09-10")
    cal = calendar_for(scenario.calendar, scenario.start, scenario.days)
    plan = scenario.units[0]
    workload = draw_workload(scenario, plan, cal, unit_streams(scenario.seed, 0, plan.unit.index))
    outcome = fast.simulate_unit(workload, cal, plan.desks, plan.organisation, scenario.desk_policy,
                                 scenario.back_office)
    closed = {dt.date.fromisoformat(d) for dates in CLOSED_2026.values() for d in dates}

    def days_of(times: np.ndarray) -> set[dt.date]:
        times = times[np.isfinite(times)]
        return {scenario.start + dt.timedelta(days=int(d)) for d in np.unique(times // MINUTES_PER_DAY)}

    done, due, served = days_of(outcome.done), days_of(outcome.due), days_of(outcome.desk_start)
    assert len(done) > 150 and len(served) > 150  # a real run: most of the year's open days
    for what, days in (("processed", done), ("due", due), ("served at a desk", served)):
        assert not days & closed, f"records {what} on {sorted(days & closed)}"


def test_2027_is_covered_2028_is_not():
    assert dt.date(2027, 2, 8) in scenario_from("period.end=2027-12-31").calendar.holidays  # Tết 2027
    with pytest.raises(ValueError, match=r"^period.end: 2028-01-10 .* covers 2025–2027"):
        scenario_from("period.end=2028-01-10")


def test_a_period_outside_the_calendar_stops_in_one_line(cli, tmp_path):
    run = cli("city.units=[ba_dinh]", "period.start=2028-01-03", "period.end=2028-01-10")
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "sim: error: period.start: 2028-01-03 is outside the calendar: it covers 2025–2027 (calendar.covered_years)"]
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    "override, key",
    [
        ("calendar.make_up_working_days=[2025-07-02]", "calendar.make_up_working_days[0]"),  # a Wednesday
        ("calendar.make_up_working_days=[2025-01-25]", "calendar.make_up_working_days[0]"),  # an extra day off too
        ("calendar.make_up_working_days=[2025-02-01]", "calendar.make_up_working_days"),  # a Tết day
        ("calendar.extra_days_off=[2025-13-01]", "calendar.extra_days_off[0]"),
        ("calendar.holidays_source=gazette", "calendar.holidays_source"),
        ("calendar.covered_years=[]", "calendar.covered_years"),
    ],
)
def test_bad_calendar_settings_name_their_key(override, key):
    from sim.errors import ConfigError

    with pytest.raises(ConfigError) as error:
        scenario_from(override)
    assert error.value.key == key


def test_lead_times_count_working_days_only():
    """A record received on Friday 4 July 2025 at 14:30 and finished on Monday 7 July at 09:00 took
    2.5 working hours of Friday and 1 of Monday; the Saturday morning between (4 hours of opening)
    is not a working day: 3.5 / 7.5 of a working day (sessions 8:00-12:00 and 13:30-17:00)."""
    cal = WorkCalendar(scenario_from("city.units=[ba_dinh]").calendar, dt.date(2025, 7, 1), 14)
    received = 3 * 1440 + 14 * 60 + 30  # Friday 14:30
    done = 6 * 1440 + 9 * 60  # Monday 09:00
    assert cal.working_days_between(np.array([received]), np.array([done]))[0] == pytest.approx(3.5 / 7.5)
    assert cal.working_minutes(np.array([done]))[0] - cal.working_minutes(np.array([received]))[0] == 3.5 * 60 + 4 * 60


def test_no_work_finishes_where_it_starts_and_a_return_at_position_zero_is_the_next_opening():
    cal = calendar()
    # A session's start is also the earlier session's cumulative end: no work must not read as that end.
    for t in (at("2025-07-01", "13:30"), at("2025-07-01", "08:00"), at("2025-07-01", "20:00")):
        assert cal.finish_after(t, 0.0) == t
    assert cal.finish_after_each(np.array([at("2025-07-01", "13:30"), at("2025-07-01", "11:30")]),
                                 np.array([0.0, 60.0])).tolist() == [at("2025-07-01", "13:30"), at("2025-07-01", "14:00")]
    # Leaving on Tuesday 10:00, position 0 is Wednesday's opening, position 1 its closing.
    assert cal.return_time(at("2025-07-01", "10:00"), 0.0) == at("2025-07-02", "08:00")
    assert cal.return_time(at("2025-07-01", "10:00"), 1.0) == at("2025-07-02", "17:00")
