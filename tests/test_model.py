"""Properties of the model a queueing analyst or planner would check, run through the configs."""

import numpy as np
import pytest

from sim.analysis.kpis import pooled_kpis
from sim.analysis.unit_counts import COUNTS, DAILY
from sim.model.city import load_units
from sim.experiments.runner import calendar_for, unit_streams
from sim.engines.workload import draw_workload
from tests.conftest import scenario_from, simulate

TWO_UNITS = "city.units=[ba_dinh,soc_son]"
# A stressed month: few desks, impatient citizens sent home at closing, thin back office, so that
# every outcome class (processed, abandoned, waiting at the desk, away, in the back office) occurs.
STRESSED = (
    TWO_UNITS, "period.end=2025-07-31", "replications=2", "desks.rule=fixed", "desks.fixed=1",
    "desks.closing=return_next_day", "desks.patience_minutes.mean=40", "staff.rule=fixed", "staff.fixed=2",
)


def count(result, name):
    return result.counts[COUNTS.index(name)]


# The same with counters by group (strict), land files capped at a few a day and desk back work:
# citizens turned away and still away at the end count as in process.
STRESSED_COUNTERS = (*STRESSED, "desks.fixed=3", "desks.groups.enabled=true", "desks.groups.take=strict",
                     "desks.land_intake.enabled=true", "desks.land_intake.per_specialist=2",
                     "desks.other_duties_share=0.3")


@pytest.mark.parametrize("overrides", [STRESSED, STRESSED_COUNTERS], ids=["pooled desks", "counters"])
def test_conservation_per_unit_and_city(overrides):
    scenario, results = simulate(*overrides)
    for rep in results:
        for r in rep:
            received, processed = count(r, "received"), count(r, "processed")
            in_process, abandoned = count(r, "in_process"), count(r, "abandoned")
            assert received == processed + in_process + abandoned
            assert processed > 0 and in_process > 0 and abandoned > 0
            # The daily series, built from event times rather than final stages, ends at the same backlog.
            assert r.daily[-1, DAILY.index("in_process")] == in_process
        city = pooled_kpis(rep)
        assert city["received"] == city["processed"] + city["in_process"] + city["abandoned"]
        assert city["received"] == sum(count(r, "received") for r in rep)


def test_same_seed_same_results_and_other_seed_differs():
    _, first = simulate(TWO_UNITS, "replications=2", "period.end=2025-07-20")
    _, again = simulate(TWO_UNITS, "replications=2", "period.end=2025-07-20")
    _, other = simulate(TWO_UNITS, "replications=2", "period.end=2025-07-20", "seed=7")
    for a, b in zip(first, again):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x.counts, y.counts)
            np.testing.assert_array_equal(x.daily, y.daily)
    assert not np.array_equal(first[0][0].counts, other[0][0].counts)


def test_results_do_not_depend_on_worker_processes():
    _, serial = simulate(TWO_UNITS, "replications=2", "period.end=2025-07-20", workers=1)
    _, parallel = simulate(TWO_UNITS, "replications=2", "period.end=2025-07-20", workers=2)
    for a, b in zip(serial, parallel):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x.counts, y.counts)
            np.testing.assert_array_equal(x.departments, y.departments)


def test_scenarios_share_random_numbers_per_replication():
    """Changing resources leaves the citizens identical; a unit's draws ignore which units run."""
    _, few = simulate(TWO_UNITS, "replications=2", "period.end=2025-07-20", "desks.rule=fixed", "desks.fixed=1")
    _, many = simulate(TWO_UNITS, "replications=2", "period.end=2025-07-20", "desks.rule=fixed", "desks.fixed=6")
    _, alone = simulate("city.units=[soc_son]", "replications=2", "period.end=2025-07-20", "desks.rule=fixed",
                        "desks.fixed=1")
    for r in range(2):
        for a, b in zip(few[r], many[r]):
            for name in ("received", "received_in_person", "received_online"):
                assert count(a, name) == count(b, name)
        assert count(few[r][0], "desk_wait_sum") > count(many[r][0], "desk_wait_sum")
        np.testing.assert_array_equal(few[r][1].counts, alone[r][0].counts)
    assert count(few[0][0], "received") != count(few[1][0], "received")


def test_more_desks_shorten_waits_and_more_staff_raise_on_time():
    _, base = simulate(*STRESSED)
    _, desks = simulate(*STRESSED, "desks.fixed=4")
    _, staff = simulate(*STRESSED, "staff.fixed=8")
    for r in range(2):
        assert pooled_kpis(desks[r])["desk_wait_mean_min"] < pooled_kpis(base[r])["desk_wait_mean_min"]
        assert pooled_kpis(staff[r])["on_time_pct"] > pooled_kpis(base[r])["on_time_pct"]


def test_overload_ends_at_horizon_with_backlog():
    _, results = simulate("city.units=[soc_son]", "period.end=2025-07-15", "replications=1",
                          "scenario.demand.growth=5", "staff.rule=fixed", "staff.fixed=1")
    k = pooled_kpis(results[0])
    assert k["in_process"] > 0.5 * k["received"]
    assert k["in_process_overdue"] > 0
    assert k["staff_utilisation"] > 0.95


def test_online_share_override_reaches_target():
    scenario = scenario_from(TWO_UNITS, "scenario.demand.online_share=0.8")
    for mix in scenario.mixes.values():
        assert mix.channel_share()[1] == pytest.approx(0.8, abs=1e-9)
        np.testing.assert_allclose(mix.channel_given_procedure.sum(axis=1), 1.0)
    _, results = simulate(TWO_UNITS, "scenario.demand.online_share=0.8", "period.end=2025-07-31")
    assert pooled_kpis(results[0])["online_pct"] == pytest.approx(80, abs=1.5)


def test_in_person_arrivals_follow_opening_hours():
    scenario = scenario_from("city.units=[bach_mai]")
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    w = draw_workload(scenario, scenario.units[0], calendar, unit_streams(scenario.seed, 0, scenario.units[0].unit.index))
    t = w.arrival[: w.n_in_person]
    clock = t % 1440
    weekday = np.array([calendar.date_of(x).weekday() for x in t])
    assert np.all(((clock >= 480) & (clock < 720)) | ((clock >= 810) & (clock < 1020)))
    assert np.all(weekday < 6) and np.all(clock[weekday == 5] < 720)
    remote = w.arrival[w.n_in_person :] % 1440
    assert (remote < 480).any() and (remote > 1020).any()  # online records arrive around the clock


def test_suspect_populations_imputed_from_median_density():
    units = load_units("hanoi_units_2025.csv", "median_density")
    kept = load_units("hanoi_units_2025.csv", "keep")
    imputed = [u for u in units if u.population_imputed]
    assert len(imputed) == 8
    for u, k in zip(units, kept):
        assert k.population == k.population_reported
        if u.population_imputed:
            peers = [v.population / v.area_km2 for v in units if v.kind == u.kind and not v.population_imputed]
            assert u.population == round(u.area_km2 * float(np.median(peers)))
            assert u.population > u.population_reported
        else:
            assert u.population == u.population_reported
    assert len(units) == 126
    assert sum(u.kind == "ward" for u in units) == 51


def test_earliest_deadline_first_beats_first_come_when_staff_are_short():
    """In an overloaded office EDF lets same-day records overtake long ones: more on time."""
    _, fifo = simulate(*STRESSED, "staff.order=fifo")
    _, edf = simulate(*STRESSED, "staff.order=edf")
    for r in range(2):
        assert pooled_kpis(edf[r])["on_time_pct"] > pooled_kpis(fifo[r])["on_time_pct"] + 5


def test_a_longer_period_sees_the_same_citizens_up_to_the_shorter_ones_end():
    """Demand is set week by week (sim.engines.workload.in_person_expected), so a run to 23 September
    has exactly the records of a run to 30 August up to 30 August, even though the 1-2 September
    holiday lies between: nothing before a day depends on where the period ends."""
    workloads = {}
    for end in ("2025-08-30", "2025-09-23"):
        scenario = scenario_from("city.units=[ba_dinh]", f"period.end={end}")
        calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
        workloads[end] = draw_workload(scenario, scenario.units[0], calendar, unit_streams(7, 0, 0))
    short, long = workloads["2025-08-30"], workloads["2025-09-23"]
    cut = 61 * 1440
    for block in (slice(0, short.n_in_person), slice(short.n_in_person, len(short))):
        kept = short.arrival[block] < cut
        assert kept.all()
    long_in = long.arrival[: long.n_in_person] < cut
    long_remote = np.flatnonzero(long.arrival[long.n_in_person:] < cut) + long.n_in_person
    assert long_in.sum() == short.n_in_person and len(long_remote) == len(short) - short.n_in_person
    rows = np.concatenate([np.flatnonzero(long_in), long_remote])
    np.testing.assert_allclose(long.arrival[rows], short.arrival, rtol=1e-13)  # rate x days / horizon rounds
    for name in ("procedure", "desk_minutes", "effort_minutes", "paused_wd"):
        np.testing.assert_array_equal(getattr(long, name)[rows], getattr(short, name))


def test_a_financial_obligation_pauses_the_deadline_without_officers_work():
    """Land records whose holder owes fees or tax pay after review: the result comes later, the due
    date moves by the same working days, no officer minute is added, and no other record changes."""
    from sim.api import load_config, run

    zero = [f"procedures.{p.name}.obligation_share=0" for p in scenario_from().procedures]
    settings = ("city.units=[soc_son]", "period.end=2025-07-31", "replications=1", "centre.enabled=false",
                "scenario.supplement_share=0", "stock.source=none", "staff.overtime.enabled=false")
    without = scenario_from(*settings, *zero)
    owes = scenario_from(*settings, *zero, "procedures.land_transfer.obligation_share=1")
    calendar = calendar_for(without.calendar, without.start, without.days)
    plan = without.units[0]
    a = draw_workload(without, plan, calendar, unit_streams(without.seed, 0, plan.unit.index))
    b = draw_workload(owes, owes.units[0], calendar, unit_streams(owes.seed, 0, plan.unit.index))
    transfer = b.procedure == [p.name for p in owes.procedures].index("land_transfer")
    assert transfer.sum() > 20 and (a.paused_wd == 0).all()
    assert (b.paused_wd[transfer] > 0).all() and (b.paused_wd[~transfer] == 0).all()
    np.testing.assert_array_equal(a.effort_minutes, b.effort_minutes)  # no officer works on a payment

    frames = {name: run(load_config(*settings, *zero, *extra)).records("soc_son")
              for name, extra in (("without", []), ("owes", ["procedures.land_transfer.obligation_share=1"]))}
    rows = frames["owes"]["procedure"] == "land_transfer"
    done = frames["owes"]["done_min"].notna() & frames["without"]["done_min"].notna() & rows
    later = frames["owes"].loc[done, "done_min"] - frames["without"].loc[done, "done_min"]
    assert done.sum() > 10 and (later > 0).all()
    moved = frames["owes"].loc[done, "due_min"] - frames["without"].loc[done, "due_min"]
    assert (moved > 0).all()
    # the deadline stands still while the holder pays: no transfer turns overdue for paying
    assert frames["owes"].loc[done, "on_time"].mean() >= frames["without"].loc[done, "on_time"].mean() - 0.02
