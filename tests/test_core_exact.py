"""Small exact cases of the core algorithms, computed by hand: the session-time multi-server queue
of the fast engine (with and without overtime, the overtime also in the SimPy reference's work pool)
and the split of a unit's staff over its departments."""

import datetime as dt

import numpy as np
import pytest
import simpy

from sim.engines.fast import busy_minutes, serve_in_sessions, serve_with_overtime
from sim.engines.reference import _WorkPool
from sim.engines.rules import OvertimeDays, OvertimePlan
from sim.model.calendar import CalendarSpec, WorkCalendar
from sim.model.scenario import OvertimePolicy
from sim.model.structures import STAFFING_POLICIES, Department, Structure, department_staff, split_by_weight

NAN = np.nan

# Monday 7 and Tuesday 8 July 2025, sessions 08:00-12:00 and 13:30-17:00, no Saturday, no holiday.
# Minutes from Monday 00:00: Monday 480-720 and 810-1020, Tuesday 1920-2160 and 2250-2460;
# the horizon is Wednesday 00:00 = 2880, and Wednesday's first session starts at 3360.
CALENDAR = WorkCalendar(CalendarSpec(sessions=((480, 720), (810, 1020)), saturday_sessions=(),
                                     holidays=frozenset(), same_day_cutoff=900), dt.date(2025, 7, 7), days=2)


def test_the_calendar_of_these_cases():
    assert CALENDAR.horizon == 2880
    assert CALENDAR.sessions_within(0, 2880) == [(480, 720), (810, 1020), (1920, 2160), (2250, 2460)]


def test_two_servers_first_come_first_served_across_lunch_and_night():
    arrival = np.array([0, 0, 500, 600, 700, 1000, 1010, 2400], dtype=float)
    work = np.array([60, 200, 100, 120, 30, 60, 10, 200], dtype=float)
    start, finish = serve_in_sessions(arrival, arrival, work, 2, CALENDAR)
    # A, B arrive overnight and start when the office opens, 480, one on each server:
    #   A 480 + 60 = 540; B 480 + 200 = 680, within the morning session.
    # C arrives 500, both busy; A's server frees at 540: C 540 + 100 = 640.
    # D arrives 600; C's server frees first (640, B's at 680): 80 minutes to 12:00 (720), 40 after
    #   lunch from 810: 850.
    # E arrives 700; B's server is free since 680: 20 minutes to 720, 10 from 810: 820.
    # F arrives 1000, E's server: 20 minutes to 17:00 (1020), 40 the next morning from 1920: 1960.
    # G arrives 1010, D's server (free since 850): 1010 + 10 = 1020, exactly at closing.
    # H arrives Tuesday 2400: 60 minutes to 2460, 140 more on Wednesday: past the horizon, not finished.
    np.testing.assert_array_equal(start, [480, 480, 540, 640, 700, 1000, 1010, 2400])
    np.testing.assert_array_equal(finish, [540, 680, 640, 850, 820, 1960, 1020, NAN])
    # Worked by the horizon: the finished items in full (580 minutes), and H's 60 minutes.
    assert busy_minutes(CALENDAR, start, finish, work) == 640


def test_two_servers_earliest_deadline_first():
    """Five items waiting at opening, 100 minutes each; priorities (due times) 5, 1, 3, 2, 4."""
    arrival = np.zeros(5)
    due = np.array([5, 1, 3, 2, 4], dtype=float)
    work = np.full(5, 100.0)
    start, finish = serve_in_sessions(arrival, due, work, 2, CALENDAR)
    # 480: the two earliest due (items 1 and 3) start, done 580; then items 2 and 4, done 680;
    # item 0 last, from 680: 40 minutes to 12:00, 60 from 13:30 (810): 870.
    np.testing.assert_array_equal(start, [680, 480, 580, 480, 580])
    np.testing.assert_array_equal(finish, [870, 580, 680, 580, 680])
    # First come first served with equal arrivals: in the order given (ties by arrival rank).
    start, finish = serve_in_sessions(arrival, arrival, work, 2, CALENDAR)
    np.testing.assert_array_equal(start, [480, 480, 580, 580, 680])
    np.testing.assert_array_equal(finish, [580, 580, 680, 680, 870])


def test_a_daily_limit_holds_items_to_the_next_day():
    """One server who starts at most two items a calendar day; five 10-minute items at opening."""
    start, finish = serve_in_sessions(np.zeros(5), np.zeros(5), np.full(5, 10.0), 1, CALENDAR, per_day=2)
    # Monday 480 and 490; Tuesday's first session 1920 and 1930; the fifth would start on
    # Wednesday (3360), after the horizon: neither started nor finished.
    np.testing.assert_array_equal(start, [480, 490, 1920, 1930, NAN])
    np.testing.assert_array_equal(finish, [490, 500, 1930, 1940, NAN])


def overtime_plan(max_minutes_per_week: float = 0.0) -> OvertimePlan:
    """Overtime of up to 3 hours (17:00-20:00) when more than 2 records per officer wait at 08:00."""
    return OvertimePlan(CALENDAR, OvertimePolicy(enabled=True, threshold_records_per_officer=2, minutes_per_day=180,
                                                 saturdays=False, max_minutes_per_week=max_minutes_per_week))


def both_engines_with_overtime(arrival, work, servers, plan):
    """(start, finish, minutes worked, officer-minutes of overtime) from the fast engine, and the finish
    times, minutes worked and overtime of the SimPy reference's work pool on the same items."""
    days = OvertimeDays(plan, servers)
    start, finish, worked = serve_with_overtime(arrival, arrival, work, servers, days)
    env = simpy.Environment()
    done = np.full(len(arrival), np.nan)
    pool = _WorkPool(env, CALENDAR, servers, work, lambda i: arrival[i],  # first come, first served
                     lambda i: done.__setitem__(i, env.now), overtime=plan)
    for i, t in enumerate(arrival):
        env.timeout(t).callbacks.append(lambda _event, i=i: pool.put(i))
    env.run(until=CALENDAR.horizon)
    return (start, finish, worked, days.officer_minutes), (done, pool.busy_up_to_horizon(), pool.overtime_up_to_horizon())


def test_a_backlog_at_opening_keeps_one_officer_until_evening():
    # Four records wait at Monday 08:00, more than 2 per officer: the day's work ends at 20:00 (1200).
    # A 480-600 and B 600-720 in the morning; C 810-930; D, 180 minutes, works 90 to 17:00 and 90
    # in the extra session: done 1110, 18:30. E arrives 18:20 (1100) and is started when D is done:
    # 1110-1170. F arrives 1150: 30 minutes to 20:00, the other 30 on Tuesday from 08:00: 1950.
    # At Tuesday 08:00 all six that had arrived were started: no overtime; G arrives at 2400, works
    # 60 minutes to 17:00 and is not finished by the horizon.
    arrival = np.array([0, 0, 0, 0, 1100, 1150, 2400], dtype=float)
    work = np.array([120, 120, 120, 180, 60, 60, 100], dtype=float)
    (start, finish, worked, overtime), (done, busy, reference_overtime) = both_engines_with_overtime(
        arrival, work, 1, overtime_plan())
    np.testing.assert_array_equal(start, [480, 600, 810, 930, 1110, 1170, 2400])
    np.testing.assert_array_equal(finish, [600, 720, 930, 1110, 1170, 1950, NAN])
    assert worked == 660 + 60 and overtime == 180  # the whole extra session, Monday only
    np.testing.assert_allclose(done, finish)
    assert busy == pytest.approx(worked) and reference_overtime == overtime
    # Without overtime D would finish on Tuesday at 08:00 + 90 = 2010.
    assert serve_in_sessions(arrival, arrival, work, 1, CALENDAR)[1][3] == 2010


def test_a_backlog_at_the_threshold_is_no_overtime():
    arrival, work = np.zeros(4), np.full(4, 120.0)
    (_, finish, _, overtime), _ = both_engines_with_overtime(arrival, work, 2, overtime_plan())
    # 4 waiting at opening for 2 officers is 2 each, not more: no extra session (two each by 12:00).
    assert overtime == 0
    np.testing.assert_array_equal(finish, [600, 600, 720, 720])


def test_the_weekly_limit_shortens_the_second_day():
    # Ten records of 120 minutes wait at Monday 08:00; the officer may stay 4 hours a week. Monday:
    # 3 hours (to 20:00), the six first started by 19:30 (1170); Tuesday 08:00: four wait, more than 2,
    # but only 1 hour is left this week: the day's work ends 18:00 (2520).
    # Monday: A 480-600, B 600-720, C 810-930, D 930-1050, E 1050-1170, F 1170: 30 to 20:00, then
    # Tuesday 1920 + 90 = 2010. G 2010-2130, H 2130: 30 to 12:00, 90 from 13:30 (2250): 2340.
    # I 2340-2460 (17:00, all in session), J 2460: the hour to 18:00, not finished.
    arrival, work = np.zeros(10), np.full(10, 120.0)
    (start, finish, worked, overtime), (done, busy, reference_overtime) = both_engines_with_overtime(
        arrival, work, 1, overtime_plan(max_minutes_per_week=240))
    np.testing.assert_array_equal(start, [480, 600, 810, 930, 1050, 1170, 2010, 2130, 2340, 2460])
    np.testing.assert_array_equal(finish, [600, 720, 930, 1050, 1170, 2010, 2130, 2340, 2460, NAN])
    assert overtime == 240 and reference_overtime == 240
    # Session time of both days (2 x 450) and the four hours of overtime, all worked.
    assert worked == 1140 and busy == pytest.approx(1140)
    np.testing.assert_allclose(done, finish)


def test_no_server_serves_nothing():
    start, finish = serve_in_sessions(np.zeros(2), np.zeros(2), np.ones(2), 0, CALENDAR)
    assert np.isnan(start).all() and np.isnan(finish).all()


@pytest.mark.parametrize("total, weights, minimum, expected", [
    # 10 over three equal weights, one each first: 7 to split, 7/3 = 2.33 each, floors 2, 2, 2;
    # the one left over goes to the largest remainder, a tie, so to the first: 3, 2, 2 (+1 each).
    (10, [1, 1, 1], 1, [4, 3, 3]),
    # 15 over 2:1:1, 12 to split exactly 6, 3, 3.
    (15, [2, 1, 1], 1, [7, 4, 4]),
    # fewer than one each: everyone still gets the minimum (the total grows to 3).
    (2, [1, 1, 1], 1, [1, 1, 1]),
    # no minimum: 7 over 3:1 is 5.25, 1.75; floors 5, 1; the spare one to the larger remainder (0.75).
    (7, [3, 1], 0, [5, 2]),
    # six deputies over four equal departments: 1.5 each, the two spare to the first two.
    (6, [1, 1, 1, 1], 0, [2, 2, 1, 1]),
    # all weights zero: an even split, 4 = 1 + 1 each, then 1 each of the 2 spare.
    (4, [0, 0], 1, [2, 2]),
])
def test_split_by_weight(total, weights, minimum, expected):
    assert split_by_weight(total, weights, minimum) == expected
    assert sum(expected) == max(total, minimum * len(weights))


OFFICE = Department("office", "Office", ("justice", "other"), 0.35)
ECONOMIC = Department("economic", "Economic", ("land", "construction", "business"), 0.40)
SOCIETY = Department("society", "Culture and society", ("social",), 0.25)
THREE = Structure("three", "Decree 150", (OFFICE, ECONOMIC, SOCIETY))
# Land split out of the economic department, which keeps its name but not its fields.
FOUR = Structure("four", "land apart", (OFFICE, Department("economic", "Economic", ("construction", "business"), 0.089),
                                        Department("land", "Land", ("land",), 0.311), SOCIETY),
                 otherwise=THREE)


def test_department_staff_of_the_base_structure():
    # 20 officers over 0.35 : 0.40 : 0.25, one each first: 17 split as 5.95, 6.8, 4.25; floors 5, 6, 4;
    # the two spare to the largest remainders (office 0.95, economic 0.8): 6, 7, 4, plus one each.
    for policy in STAFFING_POLICIES.names():
        assert department_staff(THREE, 20, policy) == [7, 8, 5]


def test_department_staff_when_a_department_is_split():
    # Office and society are unchanged and keep 7 and 5. The economic department's 8 are shared by
    # the new economic and land departments, 0.089 : 0.311, one each first: 6 as 1.335, 4.665;
    # floors 1, 4; the spare one to land (0.665): 2 and 6.
    assert department_staff(FOUR, 20, "extra_head") == [7, 2, 6, 5]
    # same_headcount: land, a department the base does not have, takes its head from its officers.
    # The economic department existed before (same name) and keeps its head: no officer less.
    assert department_staff(FOUR, 20, "same_headcount") == [7, 2, 5, 5]


def work_overtime_plan(threshold_days: float = 1.0) -> OvertimePlan:
    """Overtime of up to 3 hours when the waiting work per officer at 08:00 exceeds the day (450
    session minutes: 08:00-12:00 and 13:30-17:00), whatever the number of records."""
    return OvertimePlan(CALENDAR, OvertimePolicy(enabled=True, threshold_records_per_officer=1e9, minutes_per_day=180,
                                                 saturdays=False, max_minutes_per_week=0.0, trigger="work",
                                                 threshold_days=threshold_days))


def test_overtime_starts_when_the_waiting_work_exceeds_the_day():
    # Two records of 230 minutes (460 > 450) wait for one officer at Monday 08:00: the day's work
    # ends at 20:00. A 480-710; B 710: 10 minutes to 12:00, then 13:30 (810) + 220 = 1030, 17:10.
    # Tuesday 08:00: nothing waits (both started): no extra session.
    arrival, work = np.zeros(2), np.full(2, 230.0)
    (start, finish, worked, overtime), (done, busy, reference_overtime) = both_engines_with_overtime(
        arrival, work, 1, work_overtime_plan())
    np.testing.assert_array_equal(finish, [710, 1030])
    assert overtime == 180 and reference_overtime == 180
    np.testing.assert_allclose(done, finish)
    # Two records of 225 minutes are the day's 450 exactly, not more: no extra session, and B ends
    # on time at 17:00 all the same (1020).
    arrival, work = np.zeros(2), np.full(2, 225.0)
    (_, finish, _, overtime), (_, _, reference_overtime) = both_engines_with_overtime(arrival, work, 1,
                                                                                      work_overtime_plan())
    assert overtime == 0 and reference_overtime == 0
    np.testing.assert_array_equal(finish, [705, 1020])
    # The same 460 minutes with a threshold of half a day: still one extra session.
    (_, _, _, overtime), _ = both_engines_with_overtime(np.zeros(2), np.full(2, 230.0), 1, work_overtime_plan(0.5))
    assert overtime == 180


def test_other_duties_and_the_counters_rota_stretch_each_records_effort():
    """A unit's effort factor: the breadth penalty over the officers' time left for records, after
    other duties and the counters' rota (the share of the officers' time the counters take)."""
    import dataclasses

    from tests.conftest import scenario_from

    plan = scenario_from("city.units=[ba_dinh]", "centre.enabled=false", "staff.breadth_penalty=0.1",
                         "staff.other_duties_share=0", "staff.desk_rota_share=0").units[0]
    officers = sum(plan.organisation.staff)
    shared = dataclasses.replace(plan, other_duties_share=0.2, desk_rota_share=0.5)
    rota = 0.5 * plan.desks / officers
    for before, after in zip(plan.organisation.effort_factor, shared.effort_factor):
        assert after == pytest.approx(before / ((1 - 0.2) * (1 - rota)))
    assert plan.effort_factor == plan.organisation.effort_factor  # both 0: the catalogue's effort, bit for bit
