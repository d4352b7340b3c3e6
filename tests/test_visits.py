"""Desk visits that submit nothing (sim.engines.visits): results collected, missing papers brought,
guidance asked. They are made when the rules say, count in the desk KPIs, create no record and
leave every other random number and, with every share 0, every outcome as it was."""

import numpy as np
import pytest

from sim.analysis.kpis import unit_kpis
from sim.config.counters import group_weights
from sim.analysis.unit_counts import COUNTS, summarise_unit
from sim.engines.contract import ENGINES
from sim.engines.outcome import ABANDONED
from sim.engines.visits import COLLECTION, GUIDANCE, SUPPLEMENT, visit_time
from sim.engines.workload import in_person_expected
from sim.errors import ConfigError
from sim.experiments.runner import calendar_for, run_unit, simulate_records, unit_workload
from sim.model.calendar import MINUTES_PER_DAY
from tests.conftest import scenario_from
from tests.test_engines import POLICIES, REFERENCE, VISITS, every_engine

UNIT = "city.units=[hoan_kiem]"
THREE_WEEKS = "period.end=2025-07-21"
RECORD_FIELDS = ("stage", "receipt", "due", "done", "reviewed", "desk_start", "desk_end", "desk_wait",
                 "abandoned_at", "staff_busy", "approver_busy", "staff_overtime", "asked_to_return", "return_visits")
PAPERS = tuple(o for o in VISITS if o.startswith("scenario."))  # the records' missing papers
DESK_VISITS = tuple(o for o in VISITS if not o.startswith("scenario."))
WORKLOAD_FIELDS = ("arrival", "channel", "procedure", "desk_minutes", "patience_minutes", "returns",
                   "return_position", "effort_minutes", "lag_minutes", "paused_wd", "approval_minutes", "desk_group")


def outcomes(*overrides, unit=UNIT, period=THREE_WEEKS):
    """(scenario, calendar, workload, {engine: outcome}) of the one unit."""
    scenario = scenario_from(unit, period, *overrides)
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    plan = scenario.units[0]
    workload = unit_workload(scenario, 0, 0, calendar)
    args = (workload, calendar, plan.desk_plan, plan.organisation, scenario.desk_policy, scenario.back_office)
    return scenario, calendar, workload, {name: ENGINES.get(name)(*args) for name in ENGINES.names()}


def test_visits_off_by_default_and_their_streams_leave_every_record_as_it_was():
    off = scenario_from(UNIT)
    assert not off.visits_enabled and not any(p.collect_share for p in off.procedures)
    _, _, plain, plain_out = outcomes(*PAPERS)
    _, _, visiting, _ = outcomes(*VISITS)
    assert plain.visits is None and len(visiting.visits) > 0
    for name in WORKLOAD_FIELDS:  # switching visits on draws from new streams only
        np.testing.assert_array_equal(getattr(visiting, name), getattr(plain, name), err_msg=name)
    # Visits on, but every one falls after the horizon: the engines' outputs are those with visits off, to the bit.
    _, _, late, late_out = outcomes(*PAPERS, "procedures.land_transfer.collect_share=1",
                                    "desks.visits.collection.delay_open_days.kind=constant",
                                    "desks.visits.collection.delay_open_days.mean=100")
    assert len(late.visits) > 0
    for engine, outcome in late_out.items():
        assert np.isnan(outcome.extra_arrival).all()
        for name in (*RECORD_FIELDS, "visit_enter", "visit_exit"):
            np.testing.assert_array_equal(getattr(outcome, name), getattr(plain_out[engine], name),
                                          err_msg=f"{engine}: {name}")


def test_a_collection_share_of_one_brings_a_visit_for_each_record_whose_day_comes_before_the_horizon():
    """Every received record of the procedure (in person or online) brings one collection visit, on
    the open day after its due day (delay 1), at a moment of that day's sessions; records not
    received bring none, nor do other procedures."""
    scenario, calendar, w, by_engine = outcomes(
        "procedures.contract_certification.collect_share=1", "desks.visits.collection.delay_open_days.kind=constant",
        "desks.visits.collection.delay_open_days.mean=1.5", "desks.rule=fixed", "desks.fixed=1",
        "desks.patience_minutes.mean=30")  # busy: some citizens give up, their records bring no visit
    k = [p.name for p in scenario.procedures].index("contract_certification")
    assert scenario.procedures[k].deadline_wd == 2 and scenario.procedures[k].obligation_share == 0
    open_days = sorted({int(s // MINUTES_PER_DAY) for s in calendar.session_start})
    visits = w.visits
    assert (visits.kind == COLLECTION).all() and (w.procedure[visits.record] == k).all()
    np.testing.assert_array_equal(np.sort(visits.record), np.flatnonzero(w.procedure[:w.n_arriving] == k))
    for engine, outcome in by_engine.items():
        received = ~np.isnan(outcome.receipt[visits.record])
        assert (outcome.stage[visits.record][~received] == ABANDONED).any()  # the check covers records not received
        due_day = np.where(received, outcome.due[visits.record], 0) // MINUTES_PER_DAY  # no papers: the due is final
        expected_day = np.array([open_days[open_days.index(int(d)) + 1] if r else -1 for d, r in zip(due_day, received)])
        made = received & (expected_day < scenario.days)
        assert made.sum() > 20 and (~made & received).sum() > 0  # some fall after the horizon
        np.testing.assert_array_equal(~np.isnan(outcome.extra_arrival), made, err_msg=engine)
        t = outcome.extra_arrival[made]
        np.testing.assert_array_equal((t // MINUTES_PER_DAY).astype(int), expected_day[made])
        assert all(calendar.next_work_start(x) == x for x in t)  # within a session
        assert (t > outcome.receipt[visits.record][made]).all()
        # only a visit made is served or gives up
        served, gone = ~np.isnan(outcome.extra_desk_start), ~np.isnan(outcome.extra_abandoned_at)
        assert not ((served | gone) & ~made).any() and served.sum() > made.sum() / 2


def test_records_back_office_outcomes_do_not_change_when_visits_are_switched_on():
    """With desks enough that nobody waits, every kind of visit served changes nothing for any
    record: a visit is never received, joins no staff pool and creates no record."""
    ample = ("desks.rule=fixed", "desks.fixed=60", *PAPERS)
    scenario_off, calendar, w_off, off = outcomes(*ample)
    scenario_on, _, w_on, on = outcomes(*ample, *DESK_VISITS, "desks.visits.guidance.per_submission=2")
    assert len(w_on) == len(w_off)
    for engine in on:
        kinds = on[engine].extra_kind[~np.isnan(on[engine].extra_desk_start)]
        assert {COLLECTION, SUPPLEMENT, GUIDANCE} <= set(kinds.tolist())
        for name in RECORD_FIELDS:
            np.testing.assert_array_equal(getattr(on[engine], name), getattr(off[engine], name),
                                          err_msg=f"{engine}: {name}")
        counts = {label: dict(zip(COUNTS, summarise_unit(0, 0, scenario, scenario.units[0], calendar, w, o[engine]).counts))
                  for label, scenario, w, o in (("off", scenario_off, w_off, off), ("on", scenario_on, w_on, on))}
        for name in ("received", "processed", "processed_on_time", "in_process", "abandoned", "staff_busy"):
            assert counts["on"][name] == counts["off"][name], name
        assert counts["on"]["served_at_desk"] == counts["off"]["served_at_desk"] + len(kinds)


def test_desk_kpis_count_every_visit_by_kind():
    scenario = scenario_from(UNIT, THREE_WEEKS, *POLICIES["desk visits, busy desks"])
    result = run_unit(scenario, 0, 0)
    c = dict(zip(COUNTS, result.counts))
    kinds = ("submission", "collection", "supplement", "guidance")
    assert all(c[f"visits_{k}"] > 0 for k in kinds)
    assert c["served_at_desk"] == sum(c[f"visits_{k}"] for k in kinds) == len(result.waits) == len(result.wait_groups)
    assert c["desk_wait_sum"] == pytest.approx(sum(c[f"desk_wait_sum_{k}"] for k in kinds))
    k = unit_kpis(result)
    assert k["visits_per_desk_per_day"] == pytest.approx(c["served_at_desk"] / c["desk_days"])
    assert k["visits_guidance"] == c["visits_guidance"]
    assert k["desk_wait_mean_collection_min"] == pytest.approx(c["desk_wait_sum_collection"] / c["visits_collection"])
    # the submissions' own mean wait: that of the records' citizens
    _, _, outcome = simulate_records(scenario, 0, 0)
    served = ~np.isnan(outcome.desk_start)
    assert k["desk_wait_mean_submission_min"] == pytest.approx(outcome.desk_wait[served].mean())


def test_guidance_visits_come_at_their_rate_with_the_in_person_profile():
    scenario, calendar, w, by_engine = outcomes("desks.visits.guidance.per_submission=0.5", "period.end=2025-08-30")
    plan = scenario.units[0]
    share = scenario.mixes[plan.unit.kind].channel_share()[0]
    expected = in_person_expected(scenario, calendar, plan.records_per_day * share * 0.5)[2].sum()
    guidance = w.visits.arrival
    assert abs(len(guidance) - expected) < 5 * np.sqrt(expected)
    # the in-person profile: Mondays busier than Tuesdays to Fridays, nobody on Sundays
    weekday = np.array([calendar.date_of(t).weekday() for t in guidance])
    per_day = np.bincount(weekday, minlength=7) / np.bincount(
        [calendar.date_of(d * MINUTES_PER_DAY).weekday() for d in range(scenario.days)], minlength=7)
    assert per_day[6] == 0 and per_day[0] > per_day[1:5].mean()
    for outcome in by_engine.values():
        np.testing.assert_array_equal(outcome.extra_arrival, guidance)


def test_the_visit_mixes_exercise_what_they_compare():
    """The agreement mixes with visits are only a check if visits of every kind are served, give up,
    come back, and lengthen the submissions' waits."""
    kinds, gave_up, came_back = set(), 0, 0
    for name in ("desk visits, busy desks", "desk visits, groups, cap, other duties, sent home"):
        for w, _, _, by_engine in every_engine(*POLICIES[name]):
            reference = by_engine[REFERENCE]
            kinds.update(reference.extra_kind[~np.isnan(reference.extra_desk_start)].tolist())
            gave_up += (~np.isnan(reference.extra_abandoned_at)).sum()
            came_back += ((~np.isnan(reference.extra_desk_start)) & (reference.extra_desk_start
                                                                     - reference.extra_arrival > MINUTES_PER_DAY / 2)).sum()
    assert kinds == {COLLECTION, SUPPLEMENT, GUIDANCE} and gave_up > 0 and came_back > 0
    busy = POLICIES["desk visits, busy desks"]
    with_visits = [o[REFERENCE].desk_wait for *_, o in every_engine(*busy)]
    without = [o[REFERENCE].desk_wait for *_, o in every_engine(*busy[len(VISITS):], *PAPERS)]
    assert sum(a.sum() for a in with_visits) > sum(b.sum() for b in without)


def test_the_counter_split_weighs_the_visits_each_group_serves():
    """Guidance sent to the general counter adds its desk minutes to that group's share of the desks;
    without visits the split is the submissions' alone."""
    groups = ("city.units=[soc_son]", "desks.groups.enabled=true", "desks.rule=fixed", "desks.fixed=12")
    plain = scenario_from(*groups)
    guided = scenario_from(*groups, "desks.visits.guidance.per_submission=1", "desks.visits.guidance.counter=general")
    general = plain.desk_policy.general.index(True)
    assert guided.desk_policy.visits.guidance_group == general
    before, after = plain.units[0].desk_plan.counts, guided.units[0].desk_plan.counts
    assert sum(before) == sum(after) == 12 and after[general] > before[general]
    # collections of every channel's land transfers: their records per in-person record x 5 minutes, to the land group
    collecting = scenario_from(*groups, "procedures.land_transfer.collect_share=1")
    policy, mix = collecting.desk_policy, collecting.mixes["commune"]
    k = [p.name for p in collecting.procedures].index("land_transfer")
    land = policy.groups.index("land_construction")
    args = (collecting.procedures, mix, collecting.procedure_desk_group, len(policy.groups))
    added = np.subtract(group_weights(*args, policy.visits), group_weights(*args))
    expected = np.zeros(len(policy.groups))
    expected[land] = mix.procedure_share[k] / mix.channel_share()[0] * policy.visits.collection_minutes.mean
    np.testing.assert_allclose(added, expected)
    assert policy.visits.collection_minutes.mean == 5


@pytest.mark.parametrize("overrides, key", [
    (("procedures.land_transfer.collect_share=1.5",), "procedures.land_transfer.collect_share"),
    (("procedures.land_transfer.collect_share=nan",), "procedures.land_transfer.collect_share"),
    (("desks.visits.supplement.share=-0.1",), "desks.visits.supplement.share"),
    (("desks.visits.guidance.per_submission=inf",), "desks.visits.guidance.per_submission"),
    (("desks.visits.guidance.per_submission=-1",), "desks.visits.guidance.per_submission"),
    (("desks.visits.guidance.counter=nearest",), "desks.visits.guidance.counter"),
    (("desks.visits.guidance.desk_minutes.mean=0",), "desks.visits.guidance.desk_minutes.mean"),
    (("desks.visits.collection.desk_minutes.kind=weibull",), "desks.visits.collection.desk_minutes.kind"),
    (("desks.visits.collection.delay_open_days.mean=-2",), "desks.visits.collection.delay_open_days.mean"),
    (("desks.visits.supplement.desk_minutes.cv=-1",), "desks.visits.supplement.desk_minutes.cv"),
    (("desks.visits.guidance.counter=general", "desks.groups.enabled=true", "desks.groups.fields.general=[other]",
      "desks.groups.fields.business_social_other=[business,social]"), "desks.visits.guidance.counter"),
])
def test_bad_visit_settings_name_their_key(overrides, key):
    with pytest.raises(ConfigError) as error:
        scenario_from("city.units=[ba_dinh]", *overrides)
    assert error.value.key == key


def test_bad_visit_settings_stop_with_one_line(cli):
    result = cli("city.units=[ba_dinh]", "desks.visits.supplement.share=2")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "sim: error: desks.visits.supplement.share: must be at least 0 and at most 1, got 2"]


def test_a_visit_keeps_its_record_when_door_arrivals_and_booking_reorder_the_in_person_block():
    """Only land transfers are collected, so every collection visit must point at a land transfer,
    before and after the day-start mechanisms sort the in-person block again."""
    collect = ("procedures.land_transfer.collect_share=1", "desks.visits.collection.delay_open_days.kind=constant",
               "desks.visits.collection.delay_open_days.mean=0")
    for day_start in ((), ("scenario.demand.before_opening.share=0.5", "desks.booking.enabled=true",
                           "desks.booking.share=0.5", "desks.booking.start=2025-07-01")):
        scenario, _, workload, out = outcomes(*collect, *day_start)
        transfer = [p.name for p in scenario.procedures].index("land_transfer")
        visits = workload.visits
        collected = visits.record[visits.kind == COLLECTION]
        assert len(collected) == (workload.procedure == transfer).sum()
        assert (workload.procedure[collected] == transfer).all()
        # and each is made after its own record's receipt
        made = ~np.isnan(out[REFERENCE].extra_arrival[visits.kind == COLLECTION])
        receipt = out[REFERENCE].receipt[collected]
        assert (out[REFERENCE].extra_arrival[visits.kind == COLLECTION][made] > receipt[made]).all()


def test_each_collection_and_supplement_comes_when_visit_time_says_for_its_receipt():
    """The desks look up the collection day of a record received on the day it arrived (computed
    for all records at the start) and compute the others at receipt: every visit made is at
    :func:`visit_time` of its record's receipt, to the bit, on both paths; none made is missing."""
    scenario, calendar, w, by_engine = outcomes(*VISITS, "desks.rule=fixed", "desks.fixed=2")  # queues into overtime
    visits = w.visits
    owned = np.flatnonzero(visits.record >= 0)
    i = visits.record[owned]
    deadline = w.deadline_wd[i]
    assert (deadline == 0).any() and (deadline > 0).any() and (visits.kind[owned] == SUPPLEMENT).any()
    for engine, outcome in by_engine.items():
        receipt = outcome.receipt[i]
        received = ~np.isnan(receipt)
        arrival_day = w.arrival[i] // MINUTES_PER_DAY
        later = received & ((receipt // MINUTES_PER_DAY > arrival_day)
                            | (receipt - arrival_day * MINUTES_PER_DAY >= calendar.business_close))
        assert (later & (i < w.n_in_person)).sum() > 10 and (received & ~later).sum() > 100  # both paths
        expected = np.full(len(owned), np.nan)
        for row in np.flatnonzero(received):
            k, r = owned[row], i[row]
            due = calendar.extend_due(calendar.due_time(receipt[row], int(w.deadline_wd[r])), w.paused_wd[r])
            t = visit_time(calendar, int(visits.kind[k]), receipt[row], due, visits.days[k], visits.position[k])
            expected[row] = t if t < calendar.horizon else np.nan
        np.testing.assert_array_equal(outcome.extra_arrival[owned], expected, err_msg=engine)
