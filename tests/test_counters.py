"""Counters by field group, the daily land intake cap and desk officers' back work: small cases
worked out by hand, run through every engine; the split of desks over groups; bad settings."""

import dataclasses

import numpy as np
import pytest

from sim.engines.contract import ENGINES
from sim.engines.workload import Workload
from sim.errors import ConfigError
from sim.experiments.runner import calendar_for
from sim.model.counters import split_desks
from sim.model.scenario import Desks
from tests.conftest import scenario_from

UNIT = ("city.units=[ba_dinh]", "period.end=2025-07-04", "scenario.back_office=false")


def hand_case(groups, desk_minutes, offsets, *, capped=None, return_position=None):
    """A workload of in-person citizens arriving ``offsets`` minutes after the first session opens,
    each of counter group ``groups[k]`` with ``desk_minutes[k]`` at the desk; nobody gives up."""
    scenario = scenario_from(*UNIT)
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    opening = calendar.session_start[0]
    n = len(offsets)
    workload = Workload(
        arrival=opening + np.array(offsets, dtype=float), channel=np.zeros(n, dtype=np.int8),
        procedure=np.zeros(n, dtype=np.int64), department=np.zeros(n, dtype=np.int64),
        pool=np.zeros(n, dtype=np.int64), deadline_wd=np.ones(n, dtype=np.int64),
        desk_minutes=np.array(desk_minutes, dtype=float), patience_minutes=np.full(n, np.inf),
        returns=np.zeros(n, dtype=bool),
        return_position=np.zeros(n) if return_position is None else np.array(return_position, dtype=float),
        effort_minutes=np.zeros(n), lag_minutes=np.zeros(n), paused_wd=np.zeros(n), approval_minutes=np.zeros(n),
        n_in_person=n, desk_group=np.array(groups, dtype=np.int64),
        intake_capped=np.zeros(n, dtype=bool) if capped is None else np.array(capped, dtype=bool),
    )
    return scenario, calendar, opening, workload


def every_engine(scenario, calendar, workload, desks, **policy):
    desk_policy = dataclasses.replace(scenario.desk_policy, **policy)
    plan = scenario.units[0]
    return {name: ENGINES.get(name)(workload, calendar, desks, plan.organisation, desk_policy, scenario.back_office)
            for name in ENGINES.names()}


def test_a_free_counter_takes_another_groups_citizen_when_its_own_queue_is_empty():
    # Groups A (0) and B (1), one counter each. Worked by hand, in minutes after opening:
    #   0  citizen 0 (A) at A's counter until 10
    #   1  citizen 1 (A): A's counter busy, B's idle with an empty queue -> B takes them, until 11
    #   2  citizen 2 (A) waits;  3  citizen 3 (B) waits (B's counter is busy with citizen 1)
    #  10  A's counter frees: its own queue has citizen 2 -> until 20
    #  11  B's counter frees: its own queue has citizen 3 -> until 15
    #  12  citizen 4 (B) waits;  15  B's counter frees -> citizen 4, until 20
    scenario, calendar, opening, workload = hand_case([0, 0, 0, 1, 1], [10, 10, 10, 4, 5], [0, 1, 2, 3, 12])
    when_idle = every_engine(scenario, calendar, workload, Desks((1, 1)), groups=("A", "B"), general=(False, False),
                             take="when_idle")
    # Strictly by group: citizen 1 waits for A's counter (10), citizen 2 after them (20); B's
    # counter, idle at 3, takes citizen 3 at once (until 7) and citizen 4 on arrival.
    strict = every_engine(scenario, calendar, workload, Desks((1, 1)), groups=("A", "B"), general=(False, False),
                          take="strict")
    # whose counter served each: under when_idle citizen 1 (A) is B's counter's; strictly, each its own
    for outcomes, starts, served_by in ((when_idle, [0, 1, 10, 11, 15], [0, 1, 0, 1, 1]),
                                        (strict, [0, 10, 20, 3, 12], [0, 0, 0, 1, 1])):
        for engine, outcome in outcomes.items():
            np.testing.assert_allclose(outcome.desk_start - opening, starts, atol=1e-9, err_msg=engine)
            np.testing.assert_allclose(outcome.desk_wait, np.array(starts) - [0, 1, 2, 3, 12], atol=1e-9,
                                       err_msg=engine)
            assert outcome.desk_served_by.tolist() == served_by, engine


def test_a_general_counter_takes_the_citizen_who_has_waited_longest():
    # Strict groups A (0), B (1) and a general counter G (2), one counter each:
    #   0  citizen 0 (A) at A until 10;  1  citizen 1 (B) at B until 10
    #   2  citizen 2 (B): A may not take them, G may -> G until 5
    #   3  citizen 3 (A) waits;  4  citizen 4 (B) waits
    #   5  G frees: the first in line who has waited longest is citizen 3 (since 3) -> G until 11
    #  10  A frees: its queue is empty and it is strict -> stays idle; B frees -> citizen 4
    scenario, calendar, opening, workload = hand_case([0, 1, 1, 0, 1], [10, 9, 3, 6, 5], [0, 1, 2, 3, 4])
    outcomes = every_engine(scenario, calendar, workload, Desks((1, 1, 1)), groups=("A", "B", "G"),
                            general=(False, False, True), take="strict")
    for engine, outcome in outcomes.items():
        np.testing.assert_allclose(outcome.desk_start - opening, [0, 1, 2, 5, 10], atol=1e-9, err_msg=engine)
        assert outcome.desk_served_by.tolist() == [0, 1, 2, 2, 1], engine  # G served a B and an A citizen


def test_land_files_beyond_the_days_cap_are_asked_to_come_back_the_next_open_day():
    # A cap of one land file a day: citizen 1 (land) arrives after citizen 0 took the day's number,
    # so comes back the next open day, halfway through its open minutes (its drawn position 0.5);
    # citizen 2 is not a land file and is served as usual.
    scenario, calendar, opening, workload = hand_case([0, 0, 0], [10, 10, 10], [0, 1, 2], capped=[True, True, False],
                                                      return_position=[0.5, 0.5, 0.5])
    back = calendar.return_time(opening + 1, 0.5)
    assert back // (24 * 60) == opening // (24 * 60) + 1  # the next day (the period starts on a Tuesday)
    outcomes = every_engine(scenario, calendar, workload, Desks((2,), intake_per_day=1))
    for engine, outcome in outcomes.items():
        np.testing.assert_allclose(outcome.desk_start, [opening, back, opening + 2], atol=1e-9, err_msg=engine)
        np.testing.assert_array_equal(outcome.asked_to_return, [0, 1, 0], err_msg=engine)
        np.testing.assert_array_equal(outcome.return_visits, [0, 1, 0], err_msg=engine)
        assert len(outcome.visit_enter) == 4  # the turned-away visit counts as a visit


def test_back_work_keeps_the_desk_from_calling_the_next_citizen():
    # One desk, a share of 0.5 on other duties: after a 10-minute service the desk spends
    # 10 x 0.5 / 0.5 = 10 minutes on the record, so the second citizen is called at 20, not 10.
    scenario, calendar, opening, workload = hand_case([0, 0], [10, 10], [0, 0])
    outcomes = every_engine(scenario, calendar, workload, Desks((1,)), other_duties_share=0.5)
    for engine, outcome in outcomes.items():
        np.testing.assert_allclose(outcome.desk_start - opening, [0, 20], atol=1e-9, err_msg=engine)
        np.testing.assert_allclose(outcome.desk_end - opening, [10, 30], atol=1e-9, err_msg=engine)


def test_desks_are_split_one_per_group_then_by_workload():
    assert split_desks(12, (3.0, 5.0, 1.0, 0.0)) == (4, 5, 2, 1)  # 8 spare: 2.67, 4.44, 0.89, 0 by largest remainder
    assert split_desks(2, (3.0, 5.0, 1.0, 0.0)) == (1, 1, 0, 0)  # too few: the heaviest groups first
    assert split_desks(4, (0.0, 0.0)) == (2, 2)


def test_the_scenario_gives_each_unit_its_desks_per_group():
    scenario = scenario_from("city.units=[ba_dinh,soc_son]", "desks.groups.enabled=true",
                             "+desks.groups.per_unit.soc_son.land_construction=3",
                             "+desks.groups.per_unit.soc_son.general=1")
    names = scenario.desk_policy.groups
    assert names == ("civil_status", "land_construction", "business_social_other", "general")
    ba_dinh, soc_son = scenario.units
    assert ba_dinh.desks == 3 and ba_dinh.desks_by_group == (1, 1, 1, 0)  # fewer desks than groups: general has none
    assert soc_son.desks_by_group == (0, 3, 0, 1) and soc_son.desks == 4
    fields = [p.field for p in scenario.procedures]
    land = names.index("land_construction")
    assert all((g == land) == (f in ("land", "construction")) for g, f in zip(scenario.procedure_desk_group, fields))


@pytest.mark.parametrize("overrides, key", [
    (("desks.groups.enabled=true", "desks.groups.fields.civil_status=[justice,astrology]"),
     "desks.groups.fields.civil_status"),
    (("desks.groups.enabled=true", "desks.groups.fields.civil_status=[justice,land]"),
     "desks.groups.fields.land_construction"),
    (("desks.groups.enabled=true", "desks.groups.take=anyone"), "desks.groups.take"),
    (("desks.groups.enabled=true", "+desks.groups.per_unit.ba_dinh.astrology=2"),
     "desks.groups.per_unit.ba_dinh.astrology"),
    (("desks.other_duties_share=-0.1",), "desks.other_duties_share"),
    (("desks.other_duties_share=1",), "desks.other_duties_share"),
    (("desks.other_duties_share=1.5",), "desks.other_duties_share"),
    (("desks.land_intake.enabled=true", "desks.land_intake.fields=[lands]"), "desks.land_intake.fields"),
    (("desks.land_intake.enabled=true", "desks.land_intake.per_specialist=-1"), "desks.land_intake.per_specialist"),
])
def test_bad_counter_settings_name_their_key(overrides, key):
    with pytest.raises(ConfigError) as error:
        scenario_from("city.units=[ba_dinh]", *overrides)
    assert error.value.key == key


def test_bad_counter_settings_stop_with_one_line(cli):
    result = cli("city.units=[ba_dinh]", "desks.groups.enabled=true", "desks.groups.fields.general=[justice]")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "sim: error: desks.groups.fields.general: field 'justice' is in two groups, civil_status and general"]


def test_waits_per_counter_group_add_up_to_the_units_and_the_city():
    from sim.analysis.summary import summarise
    from tests.conftest import simulate

    scenario, results = simulate("city.units=[ba_dinh,soc_son]", "period.end=2025-07-14", "replications=2",
                                 "desks.groups.enabled=true", "desks.land_intake.enabled=true",
                                 "desks.land_intake.specialists=1", "desks.land_intake.per_specialist=3")
    run = summarise(scenario, results)
    table = run.counter_groups
    names = scenario.desk_policy.groups
    assert list(table["slug"]) == ["city"] * len(names) + [s for s in ("ba_dinh", "soc_son") for _ in names]
    units = table[table["slug"] != "city"]
    city = table[table["slug"] == "city"].set_index("group")
    # the groups' citizens and desks add up to each unit's and to the city's
    for position, (slug, rows) in enumerate(units.groupby("slug", sort=False)):
        unit = run.units.set_index("slug").loc[slug]
        assert rows["served_at_desk"].sum() == pytest.approx(np.mean([len(rep[position].waits) for rep in results]))
        assert rows["desks"].sum() == unit["desks"]
        assert [unit[f"desks_{g}"] for g in names] == list(rows["desks"])
    np.testing.assert_allclose(units.groupby("group")["served_at_desk"].sum()[list(names)],
                               city.loc[list(names), "served_at_desk"])
    # every citizen served was served by one group's desk: the general counter, with no line of its
    # own, serves the others' citizens; per desk and open day from the unit's open days
    for slug, rows in units.groupby("slug", sort=False):
        assert rows["served_by_its_desks"].sum() == pytest.approx(rows["served_at_desk"].sum())
    assert city.loc["general", "served_at_desk"] == 0 and city.loc["general", "served_by_its_desks"] > 0
    open_days = results[0][0].open_days.sum()
    row = units.iloc[0]
    assert open_days > 0 and row["served_per_desk_per_day"] == pytest.approx(
        np.mean([(rep[0].served_groups == 0).sum() for rep in results]) / (row["desks"] * open_days))
    assert (run.units["asked_to_return"] > 0).any() and (run.units["return_visits"] > 0).any()
    assert (run.units["return_visits"] <= run.units["asked_to_return"]).all()
    served = city[city["served_at_desk"] > 0]
    assert len(served) >= 3 and served["desk_wait_p95_min"].ge(served["desk_wait_p90_min"]).all()
    assert served["desk_wait_p90_min"].ge(served["desk_wait_median_min"]).all()
    assert city.loc["land_construction", "desk_wait_p95_min"] > 0
