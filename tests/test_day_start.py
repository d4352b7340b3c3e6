"""The day as it starts (:mod:`sim.engines.arrivals`): citizens at the door before opening, time-of-day
profiles per counter group, queue numbers booked in advance. Small cases worked out by hand and run
through every engine; the drawn arrivals against their settings; today's arrivals when all are off;
bad settings."""

import dataclasses
import hashlib

import numpy as np
import pytest

from sim.engines.contract import ENGINES
from sim.errors import ConfigError
from sim.experiments.runner import calendar_for, unit_workload
from sim.model.calendar import MINUTES_PER_DAY
from sim.model.scenario import Desks
from tests.conftest import scenario_from
from tests.test_counters import every_engine, hand_case
from tests.test_engines import BOOKING, LAND_EARLY, POLICIES
from tests.test_engines import every_engine as every_engine_on_units

SMALL = ("city.units=[hoan_kiem,centre_branch_07]", "period.end=2025-07-14", "centre.records_per_day=400")


def fingerprint(*overrides: str) -> str:
    """SHA-256 of two nodes' workloads and of both engines' outcomes, record by record; desk waits
    count every minute in line, as they did when the pinned values were computed."""
    scenario = scenario_from(*SMALL, "desks.wait_counts_closed=true", *overrides)
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    digest = hashlib.sha256()
    for position, plan in enumerate(scenario.units):
        w = unit_workload(scenario, 0, position, calendar)
        for name in ("arrival", "procedure", "desk_minutes", "patience_minutes"):
            digest.update(np.ascontiguousarray(getattr(w, name)).tobytes())
        for engine in ("fast", "simpy"):
            o = ENGINES.get(engine)(w, calendar, plan.desk_plan, plan.organisation, scenario.desk_policy,
                                    scenario.back_office)
            for name in ("stage", "desk_start", "desk_end", "desk_wait", "done", "abandoned_at"):
                digest.update(np.ascontiguousarray(getattr(o, name)).tobytes())
    return digest.hexdigest()


BUSY = ("desks.rule=fixed", "desks.fixed=1", "desks.patience_minutes.mean=30")
GROUPS_CAP = ("desks.groups.enabled=true", "desks.rule=fixed", "desks.fixed=4", "desks.patience_minutes.mean=60",
              "desks.land_intake.enabled=true", "desks.land_intake.specialists=1", "desks.land_intake.per_specialist=3")
# Every mechanism present but off: no share at the door, booking with nobody booking or switched off.
OFF = ("scenario.demand.before_opening.window_minutes=200", "scenario.demand.before_opening.centre_window_minutes=30",
       "desks.booking.enabled=true", "desks.booking.share=0", "desks.booking.start=2025-07-01")


@pytest.mark.parametrize("overrides", [(), BUSY, GROUPS_CAP], ids=["default", "busy desks", "groups and cap"])
def test_with_the_mechanisms_off_the_engines_give_todays_outcomes_bit_for_bit(overrides):
    """When the day-start mechanisms came in (703386a), these fingerprints equalled the ones of the
    commit before, on one machine. They are compared with each other here, not with pinned values:
    the last bits of floating-point library functions differ between machines and library builds."""
    today = fingerprint(*overrides)
    assert fingerprint(*overrides, *OFF) == today
    assert fingerprint(*overrides, "desks.booking.share=0.5") == today  # booking switched off
    assert fingerprint(*overrides, "scenario.demand.before_opening.share=0.2") != today  # the fingerprint can tell


def test_a_booked_citizen_is_called_before_the_walk_ins_who_came_earlier():
    # One desk. Walk-ins 0 and 1 at 0 and 2 minutes after opening, booked citizen 2 at 5; 10 minutes each.
    #   priority: 0 at the desk 0-10; at 10 the booked citizen is called first (10-20), then walk-in 1 (20-30)
    #   fifo:     in arrival order: 0 at 0, 1 at 10, 2 at 20
    scenario, calendar, opening, workload = hand_case([0, 0, 0], [10, 10, 10], [0, 2, 5])
    workload = dataclasses.replace(workload, booked=np.array([False, False, True]))
    for booked_first, starts in ((True, [0, 20, 10]), (False, [0, 10, 20])):
        outcomes = every_engine(scenario, calendar, workload, Desks((1,)), booked_first=booked_first)
        for engine, outcome in outcomes.items():
            np.testing.assert_allclose(outcome.desk_start - opening, starts, atol=1e-9, err_msg=engine)
            np.testing.assert_allclose(outcome.desk_wait, np.array(starts) - [0, 2, 5], atol=1e-9, err_msg=engine)


def test_booked_citizens_of_another_group_stand_first_in_their_line_for_a_free_counter():
    # Groups A (0), B (1), one counter each, booked first, a free counter takes from the other line
    # when its own is empty. A's counter busy 0-30 with citizen 0. B's counter busy 0-10 with citizen 1 (B).
    # Citizen 2 (A, walk-in) at 1 and citizen 3 (A, booked) at 4 wait for A. At 10 B's counter is
    # free and its own line empty: it takes A's first in line, the booked citizen 3 (10-15), then at
    # 15 walk-in 2 (15-25).
    scenario, calendar, opening, workload = hand_case([0, 1, 0, 0], [30, 10, 5, 5], [0, 0, 1, 4])
    workload = dataclasses.replace(workload, booked=np.array([False, False, False, True]))
    outcomes = every_engine(scenario, calendar, workload, Desks((1, 1)), groups=("A", "B"), general=(False, False),
                            take="when_idle", booked_first=True)
    for engine, outcome in outcomes.items():
        np.testing.assert_allclose(outcome.desk_start - opening, [0, 0, 15, 10], atol=1e-9, err_msg=engine)


def test_door_arrivals_wait_from_their_arrival_and_are_called_at_opening():
    # One desk, 10 minutes each: citizen 0 at 30 minutes before the first opening, citizen 1 at 10
    # before it. The desk calls 0 at opening (wait 30), 1 at 10 after it (wait 20). Citizen 2 comes
    # at 60 minutes before the second day's opening, after the first day's desks served in overtime
    # and their line emptied: they wait for that opening, not served at once (wait 60).
    scenario, calendar, opening, workload = hand_case([0, 0, 0], [10, 10, 10], [-30, -10, 0])
    second = calendar.next_work_start((opening // MINUTES_PER_DAY + 1) * MINUTES_PER_DAY)
    workload = dataclasses.replace(workload, arrival=np.array([opening - 30, opening - 10, second - 60]))
    outcomes = every_engine(scenario, calendar, workload, Desks((1,)))
    assert scenario.desk_policy.closing == "overtime"
    for engine, outcome in outcomes.items():
        np.testing.assert_allclose(outcome.desk_start, [opening, opening + 10, second], atol=1e-9, err_msg=engine)
        # By default the wait is the part after the opening; the time at the door is kept apart.
        np.testing.assert_allclose(outcome.desk_wait, [0, 10, 0], atol=1e-9, err_msg=engine)
        np.testing.assert_allclose(outcome.desk_wait_closed, [30, 10, 60], atol=1e-9, err_msg=engine)
    for engine, outcome in every_engine(scenario, calendar, workload, Desks((1,)), wait_counts_closed=True).items():
        np.testing.assert_allclose(outcome.desk_wait, [30, 20, 60], atol=1e-9, err_msg=engine)
        np.testing.assert_allclose(outcome.desk_wait_closed, [30, 10, 60], atol=1e-9, err_msg=engine)


def test_the_lunch_break_in_line_is_kept_apart_from_the_wait():
    # One desk; the morning session ends at 12:00 (240 minutes after the 08:00 opening) and the
    # afternoon one opens at 13:30. Citizen 0 comes at 11:45 and is served for 30 minutes; citizen 1
    # comes at 11:50 and waits: the desk is free at 12:15 but calls nobody until 13:30. Of their 100
    # minutes in line, 90 fall in the break: wait 10, closed 90. Citizen 2 comes at 13:40 and waits
    # behind citizen 1 (served 13:30-14:00) for 20 minutes, none of it closed.
    scenario, calendar, opening, workload = hand_case([0, 0, 0], [30, 30, 10], [225, 230, 340])
    assert calendar.session_end[0] == opening + 240 and calendar.session_start[1] == opening + 330
    for counts_closed, waits in ((False, [0, 10, 20]), (True, [0, 100, 20])):
        outcomes = every_engine(scenario, calendar, workload, Desks((1,)), wait_counts_closed=counts_closed)
        for engine, outcome in outcomes.items():
            np.testing.assert_allclose(outcome.desk_start, opening + np.array([225, 330, 360]), atol=1e-9,
                                       err_msg=engine)
            np.testing.assert_allclose(outcome.desk_wait, waits, atol=1e-9, err_msg=engine)
            np.testing.assert_allclose(outcome.desk_wait_closed, [0, 90, 0], atol=1e-9, err_msg=engine)


def test_a_door_arrivals_patience_starts_at_the_opening_or_at_their_arrival():
    # One desk, busy for 30 minutes from opening with citizen 0, who came 90 minutes before it.
    # Citizen 1 comes 60 minutes before the opening with a patience of 45 minutes. From the opening
    # (60 minutes added to their first stay), they are still there at 30 and called; from their
    # arrival, they left 15 minutes before the opening.
    scenario, calendar, opening, workload = hand_case([0, 0], [30, 10], [-90, -60])
    workload = dataclasses.replace(workload, patience_minutes=np.array([np.inf, 45.0]))
    from_opening = dataclasses.replace(workload, patience_extra=np.array([90.0, 60.0]))
    for w, start, gone in ((from_opening, opening + 30, np.nan), (workload, np.nan, opening - 15)):
        for engine, outcome in every_engine(scenario, calendar, w, Desks((1,))).items():
            np.testing.assert_allclose(outcome.desk_start[1], start, atol=1e-9, err_msg=engine)
            np.testing.assert_allclose(outcome.abandoned_at[1], gone, atol=1e-9, err_msg=engine)


def door_counts(*overrides: str):
    """(door arrivals, in-person arrivals, arrivals before their day's opening lie within the window)
    over the nodes of a five-week run."""
    scenario = scenario_from("period.end=2025-08-03", *overrides)
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    opening = {}
    for start, _ in calendar.sessions_within(0.0, calendar.horizon):
        opening.setdefault(int(start // MINUTES_PER_DAY), start)
    door = total = 0
    within = True
    for position, plan in enumerate(scenario.units):
        w = unit_workload(scenario, 0, position, calendar)
        t = w.arrival[:w.n_in_person]
        opens = np.array([opening[int(d)] for d in t // MINUTES_PER_DAY])
        early = t < opens
        share, window = scenario.before_opening.of(plan.unit.kind)
        within &= bool(((opens[early] - t[early] > 0) & (opens[early] - t[early] <= window)).all())
        door, total = door + int(early.sum()), total + len(t)
    return door, total, within


@pytest.mark.parametrize("units, setting, share", [
    ("city.units=[hoan_kiem,soc_son]", "scenario.demand.before_opening.share", 0.2),
    ("city.units=[centre_branch_01]", "scenario.demand.before_opening.centre_share", 0.35),
])
def test_the_share_who_come_before_opening_is_the_configured_share(units, setting, share):
    door, total, within = door_counts(units, f"{setting}={share}", "scenario.demand.before_opening.window_minutes=45")
    assert total > 500 and within
    # each walk-in comes to the door independently with the share: binomial, 4 standard deviations
    assert abs(door / total - share) <= 4 * np.sqrt(share * (1 - share) / total)


def test_booked_citizens_come_at_their_slot_and_never_before_opening():
    scenario = scenario_from("city.units=[hoan_kiem]", "period.end=2025-07-21", *BOOKING,
                             "scenario.demand.before_opening.share=0.5")
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    w = unit_workload(scenario, 0, 0, calendar)
    n, booked = w.n_in_person, w.booked[:w.n_in_person]
    t = w.arrival[:n][booked]
    assert booked.sum() > 50 and (t // MINUTES_PER_DAY >= 6).all()  # from 7 July (day 6) only
    starts = np.asarray(calendar.session_start)
    session = starts[np.searchsorted(starts, t, side="right") - 1]
    assert ((t - session) % scenario.booking.slot_minutes == 0).all()  # at a slot's start, inside a session
    assert (t < np.asarray(calendar.session_end)[np.searchsorted(starts, t, side="right") - 1]).all()
    share_booked = booked[w.arrival[:n] // MINUTES_PER_DAY >= 6].mean()
    assert abs(share_booked - 0.4) <= 4 * np.sqrt(0.4 * 0.6 / booked.sum())


def land_hours(*overrides: str):
    """Clock hours of the land-and-construction citizens' arrivals, and of the others', over two units."""
    scenario = scenario_from("city.units=[soc_son,hoan_kiem]", "period.end=2025-08-03", *overrides)
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    land_fields = ("land", "construction")
    land = np.array([p.field in land_fields for p in scenario.procedures])
    hours_land, hours_other = [], []
    for position in range(len(scenario.units)):
        w = unit_workload(scenario, 0, position, calendar)
        hours = (w.arrival[:w.n_in_person] % MINUTES_PER_DAY // 60).astype(int)
        is_land = land[w.procedure[:w.n_in_person]]
        hours_land.append(hours[is_land])
        hours_other.append(hours[~is_land])
    return np.concatenate(hours_land), np.concatenate(hours_other)


def test_a_groups_profile_moves_its_arrivals_to_its_hours_and_keeps_its_count():
    mornings = "scenario.demand.group_hour_weights.land_construction=[0,0,0,0,0,0,0,0,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0]"
    land, other = land_hours(f"+{mornings}")
    land_before, other_before = land_hours()
    assert len(land) > 200 and set(np.unique(land)) <= {8, 9}  # only the group's hours
    assert (land_before >= 10).mean() > 0.4  # without the profile they came all day
    assert (other >= 10).mean() > 0.4  # the other groups keep the common profile
    # each group keeps its expected records a week: the counts differ by chance only (Poisson)
    for after, before in ((land, land_before), (other, other_before)):
        assert abs(len(after) - len(before)) <= 4 * np.sqrt(len(after) + len(before))


def test_the_day_start_mixes_exercise_what_they_compare():
    """The agreement mixes are only a check if door arrivals wait for opening and some give up
    there (when their patience starts at their arrival), and if a booked citizen is called ahead
    of a walk-in who came before them."""
    at_opening = gave_up_at_door = booked_ahead = 0
    for name in ("door arrivals", "door arrivals, patience from arrival", "booked numbers first"):
        for workload, calendar, _, outcomes in every_engine_on_units(*POLICIES[name]):
            reference, n = outcomes["simpy"], workload.n_in_person
            start, arrival = reference.desk_start[:n], workload.arrival[:n]
            opens = np.isin(start, calendar.session_start)
            at_opening += int((opens & (arrival < start)).sum())
            gave_up_at_door += int((~np.isnan(reference.abandoned_at[:n])
                                    & (reference.abandoned_at[:n] % MINUTES_PER_DAY < 480)).sum())
            booked = workload.booked[:n] & ~np.isnan(start)
            walk_in = ~workload.booked[:n] & ~np.isnan(start)
            for i in np.flatnonzero(booked)[:200]:
                booked_ahead += int((walk_in & (arrival < arrival[i]) & (start > start[i])).any())
    assert at_opening > 0 and gave_up_at_door > 0 and booked_ahead > 0


@pytest.mark.parametrize("overrides, key", [
    (("scenario.demand.before_opening.share=1.2",), "scenario.demand.before_opening.share"),
    (("scenario.demand.before_opening.share=nan",), "scenario.demand.before_opening.share"),
    (("scenario.demand.before_opening.window_minutes=inf",), "scenario.demand.before_opening.window_minutes"),
    (("desks.booking.slot_minutes=nan",), "desks.booking.slot_minutes"),
    (("+scenario.demand.group_hour_weights.civil_status=[0,0,0,0,0,0,0,0,inf,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0]",),
     "scenario.demand.group_hour_weights.civil_status[8]"),
    (("scenario.demand.before_opening.centre_share=-0.1",), "scenario.demand.before_opening.centre_share"),
    (("scenario.demand.before_opening.window_minutes=-5",), "scenario.demand.before_opening.window_minutes"),
    (("scenario.demand.before_opening.share=0.2", "scenario.demand.before_opening.window_minutes=600"),
     "scenario.demand.before_opening.window_minutes"),
    (("scenario.demand.before_opening.share=0.2", "calendar.always_open=true"), "scenario.demand.before_opening.share"),
    (("+scenario.demand.group_hour_weights.astrology=[0,0,0,0,0,0,0,0,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0]",),
     "scenario.demand.group_hour_weights.astrology"),
    (("+scenario.demand.group_hour_weights.civil_status=[1,2,3]",), "scenario.demand.group_hour_weights.civil_status"),
    (("+scenario.demand.group_hour_weights.civil_status=[1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]",),
     "scenario.demand.group_hour_weights.civil_status"),
    (("+scenario.demand.group_hour_weights.civil_status=[0,0,0,0,0,0,0,0,-1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0]",),
     "scenario.demand.group_hour_weights.civil_status[8]"),
    (("scenario.demand.before_opening.patience_from=noon",), "scenario.demand.before_opening.patience_from"),
    (("desks.booking.share=1.5",), "desks.booking.share"),
    (("desks.booking.slot_minutes=0",), "desks.booking.slot_minutes"),
    (("desks.booking.start=2025-02-30",), "desks.booking.start"),
    (("desks.booking.serve=vip",), "desks.booking.serve"),
    (("desks.booking.enabled=true",), "desks.booking.start"),  # 1 October 2025 is after the default period
])
def test_bad_day_start_settings_name_their_key(overrides, key):
    with pytest.raises(ConfigError) as error:
        scenario_from("city.units=[ba_dinh]", *overrides)
    assert error.value.key == key


def test_bad_day_start_settings_stop_with_one_line(cli):
    result = cli("city.units=[ba_dinh]", "desks.booking.start=2025-13-01")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "sim: error: desks.booking.start: '2025-13-01' is not a valid date YYYY-MM-DD"]
