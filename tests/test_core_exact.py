"""Small exact cases of the core algorithms, computed by hand: the session-time multi-server queue
of the fast engine and the split of a unit's staff over its departments."""

import datetime as dt

import numpy as np
import pytest

from sim.engines.fast import busy_minutes, serve_in_sessions
from sim.model.calendar import CalendarSpec, WorkCalendar
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
