"""The City Public Administration Service Centre: its branches are built with their own mix,
departments, desks and staff; their random streams stay apart from the units'; every output can be
read for the units, for the Centre or for both; bad Centre settings stop with one line."""

import csv
import io
import json

import numpy as np
import pytest

from sim.analysis.offered_load import unit_loads
from sim.analysis.summary import summarise
from sim.model.catalogue import ChannelMix, channel_mix, with_online_share
from sim.model.city import CENTRE_KIND, load_units
from tests.conftest import compose_config, run_module, scenario_from, simulate

SHORT = ("replications=2", "period.end=2025-07-08")
UNIT_AND_BRANCH = "city.units=[ba_dinh,centre_branch_02]"


def branches_of(scenario):
    return [p for p in scenario.units if p.unit.kind == CENTRE_KIND]


def land_share(scenario, kind):
    land = [k for k, p in enumerate(scenario.procedures) if p.field == "land"]
    return float(scenario.mixes[kind].procedure_share[land].sum())


def test_the_whole_city_has_126_units_then_the_centres_12_branches_and_30_reception_points():
    scenario = scenario_from()
    kinds = [p.unit.kind for p in scenario.units]
    assert kinds.index(CENTRE_KIND) == 126 and kinds.count(CENTRE_KIND) == 12
    points = [b.reception_points for b in compose_config().centre.branches.values()]
    assert len(points) == 12 and sum(points) == 30  # Dispatch 3590/SNV-SBN
    branches = branches_of(scenario)
    # the Centre's demand is given directly, split by weight; nothing reads a branch's population
    assert sum(b.records_per_day for b in branches) == pytest.approx(compose_config().centre.records_per_day)  # the fitted total
    assert all(b.unit.population == 0 for b in branches)
    # Decree 370's average counts the 126 units only (the Centre's two departments would lower it)
    assert scenario.units_per_unit == 4.0 == scenario_from("centre.enabled=false").units_per_unit
    assert len(scenario_from("centre.enabled=false").units) == 126


def test_a_branch_has_the_centres_land_heavy_mix_departments_desks_and_staff():
    scenario = scenario_from("city.units=[ba_dinh,centre_branch_07]")
    unit, branch = scenario.units
    assert branch.unit.slug == "centre_branch_07" and branch.desks == 11  # Branch 7 (Hà Đông): 11 counters
    assert branch.organisation.structure.department_names == ("land_registration", "city_procedures")
    fixed = scenario_from("city.units=[ba_dinh,centre_branch_07]", "centre.staff_rule=fixed").units[1]
    assert fixed.staff == tuple(compose_config().centre.branches.centre_branch_07.staff.values())
    assert unit.organisation.structure.name == "three_departments"  # the units' structure is not the Centre's
    assert 0.8 <= land_share(scenario, CENTRE_KIND) <= 0.9 and land_share(scenario, "ward") < 0.2
    land = scenario.procedures.index(next(p for p in scenario.procedures if p.field == "land"))
    land_department = branch.organisation.structure.department_names[branch.organisation.procedure_department[land]]
    assert land_department == "land_registration"
    # a structure of the units' (here five departments) does not reach the branches
    other = scenario_from("city.units=[ba_dinh,centre_branch_07]", "structure=five_departments_urban")
    assert other.units[1].organisation.structure.department_names == ("land_registration", "city_procedures")


@pytest.mark.parametrize("overrides", [(), ("centre.records_per_day=6000", "scenario.effort_scale=2"),
                                       ("centre.design_load=0.5",)])
def test_by_design_load_each_branch_department_has_the_fewest_officers_that_keep_its_load_below_it(overrides):
    """centre.staff_rule=design_load (the default) staffs the Centre for whatever demand and effort
    a scenario sets: one officer fewer would put the department above the design load."""
    scenario = scenario_from(*overrides)
    design = float(compose_config(*overrides).centre.design_load)
    minutes = scenario.calendar.minutes_per_ordinary_day()  # an ordinary week's, not the period's
    for plan in branches_of(scenario):
        for load in unit_loads(scenario, plan, minutes):
            assert load.work_minutes_per_day / (load.staff * minutes) <= design + 1e-9
            assert load.staff == 1 or load.work_minutes_per_day / ((load.staff - 1) * minutes) > design
    busier = scenario_from("centre.records_per_day=6000", "scenario.effort_scale=2")
    assert sum(sum(p.staff) for p in branches_of(busier)) > sum(sum(p.staff) for p in branches_of(scenario_from()))


def test_a_branchs_staff_do_not_depend_on_when_the_period_ends():
    """Staffed for an ordinary week, not for the period's mean: a run to 30 August and one to 23
    September (with the 2 September holidays) give every branch the same officers."""
    staff = [[p.organisation.pool_staff for p in branches_of(scenario_from(f"period.end={end}"))]
             for end in ("2025-08-30", "2025-09-23")]
    assert staff[0] == staff[1]


def test_branch_streams_lie_beyond_every_row_of_the_unit_table():
    rows = len(load_units("hanoi_units_2025.csv", "median_density"))
    indices = [b.unit.index for b in branches_of(scenario_from())]
    assert len(set(indices)) == 12 and min(indices) >= rows


def test_the_centres_own_procedures_leave_the_units_mix_the_same_to_the_last_bit():
    """Procedures only the Centre has (share 0 for the units) take no part in the units' sums, so
    the units' records keep every random number they had before those procedures existed."""
    scenario = scenario_from("city.units=[ba_dinh]")
    full = channel_mix(scenario.procedures, "ward")
    used = full.used
    assert not used.all()  # the Centre's own groups are in the catalogue
    own = ChannelMix(full.procedure_share[used], full.channel_given_procedure[used])
    for shifted, alone in ((full, own), (with_online_share(full, 0.5971), with_online_share(own, 0.5971))):
        assert shifted.channel_share().tobytes() == alone.channel_share().tobytes()
        assert shifted.channel_given_procedure[used].tobytes() == alone.channel_given_procedure.tobytes()
        for channel in range(3):
            assert shifted.procedure_given_channel(channel)[used].tobytes() == alone.procedure_given_channel(channel).tobytes()


def test_the_units_results_do_not_change_with_the_centre_in_or_out():
    with_centre, with_results = simulate(UNIT_AND_BRANCH, *SHORT)
    _, without_results = simulate("city.units=[ba_dinh]", "centre.enabled=false", *SHORT)
    _, alone_results = simulate("city.units=[centre_branch_02]", *SHORT)
    assert [p.unit.slug for p in with_centre.units] == ["ba_dinh", "centre_branch_02"]
    for rep in range(2):
        for field in ("counts", "waits", "departments", "daily"):
            np.testing.assert_array_equal(getattr(with_results[rep][0], field), getattr(without_results[rep][0], field))
            np.testing.assert_array_equal(getattr(with_results[rep][1], field), getattr(alone_results[rep][0], field))
        assert with_results[rep][1].counts[0] > 0  # the branch received records of its own


def test_scope_totals_add_up_and_all_is_the_city_total():
    scenario, results = simulate(UNIT_AND_BRANCH, *SHORT)
    run = summarise(scenario, results)
    scopes = run.summary["scopes"]
    assert set(scopes) == {"units", "centre", "all"} and scopes["all"] == run.summary["kpis"]
    for name in ("received", "processed", "processed_on_time", "in_process", "abandoned"):
        assert scopes["units"][name]["mean"] > 0 or name == "abandoned"
        assert scopes["units"][name]["mean"] + scopes["centre"][name]["mean"] == scopes["all"][name]["mean"]
    for rep in results:  # exactly, replication by replication
        unit, branch = (r.counts for r in rep)
        assert unit[0] + branch[0] == np.sum([r.counts for r in rep], axis=0)[0]
    assert run.summary["units"] == 1 and run.summary["centre_branches"] == 1
    assert list(run.units["scope"]) == ["units", "centre"]
    assert set(run.departments.loc[run.departments["slug"] == "centre_branch_02", "scope"]) == {"centre"}
    assert set(run.departments.loc[run.departments["slug"] == "ba_dinh", "scope"]) == {"units"}
    assert run.units["population"].isna().tolist() == [False, True]  # a branch has no residents
    units_only = summarise(*simulate("city.units=[ba_dinh]", *SHORT))
    assert set(units_only.summary["scopes"]) == {"units", "all"}


def test_a_run_writes_and_prints_every_scope(tmp_path):
    done = run_module("sim", UNIT_AND_BRANCH, "replications=1", "period.end=2025-07-03", "progress=false",
                      f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert set(summary["scopes"]) == {"units", "centre", "all"}
    with open(tmp_path / "run" / "units.csv", encoding="utf-8-sig") as handle:
        assert [row["scope"] for row in csv.DictReader(handle)] == ["units", "centre"]
    header = next(line for line in done.stdout.splitlines() if "City totals by scope" in line)
    columns = done.stdout.splitlines()[done.stdout.splitlines().index(header) + 1].split()
    assert columns == ["units", "centre", "all"]


def test_sim_units_lists_the_branches(tmp_path):
    done = run_module("sim.units", "--kind", "centre", "--csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 12 and {r["kind"] for r in rows} == {CENTRE_KIND} and rows[0]["population"] == ""
    assert rows[6]["slug"] == "centre_branch_07" and rows[6]["desks"] == "11"


BAD = {
    "negative demand": ("centre.records_per_day=-1", "centre.records_per_day: must be at least 0"),
    "shares off one": ("procedures.land_transfer.share_centre=0.5",
                       "procedures.*.share_centre: share_centre over procedures sum to"),
    "unknown branch": ("city.units=[centre_branch_99]", "city.units[0]: unknown unit slug 'centre_branch_99'"),
    "branch left out": ("city.units=[centre_branch_01] centre.enabled=false",
                        "city.units[0]: 'centre_branch_01' is a branch of the City Centre"),
    "staff of no department": ("+centre.branches.centre_branch_01.staff.survey=3",
                               "centre.branches.centre_branch_01.staff.survey: unknown department"),
    "more points than desks": ("centre.branches.centre_branch_01.reception_points=20",
                               "centre.branches.centre_branch_01.reception_points: must be"),
    "unknown staff rule": ("centre.staff_rule=by_guess", "centre.staff_rule: unknown value 'by_guess'"),
    "design load above 1": ("centre.design_load=1.5", "centre.design_load: must be above 0 and at most 1"),
    "fixed staff missing": ("centre.staff_rule=fixed ~centre.branches.centre_branch_02.staff.city_procedures",
                            "centre.branches.centre_branch_02.staff: no staff given for department 'city_procedures'"),
}


@pytest.mark.parametrize("overrides, message", BAD.values(), ids=BAD.keys())
def test_bad_centre_settings_stop_with_one_line(tmp_path, overrides, message):
    done = run_module("sim", *overrides.split(), "replications=1", "period.end=2025-07-02", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()] and done.stderr.startswith("sim: error: " + message)
    assert not (tmp_path / "results").exists()


def test_the_centre_has_its_own_share_of_records_waiting_for_papers():
    """scenario.centre_supplement_share applies to the branches, scenario.supplement_share to the units."""
    from sim.engines.streams import unit_streams
    from sim.engines.workload import draw_workload
    from sim.experiments.runner import calendar_for

    no_obligations = [f"procedures.{p.name}.obligation_share=0" for p in scenario_from().procedures]
    scenario = scenario_from("city.units=[ba_dinh,centre_branch_01]", "period.end=2025-07-07",
                             "scenario.supplement_share=0", "scenario.centre_supplement_share=1", *no_obligations)
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    waiting = {}
    for plan in scenario.units:
        w = draw_workload(scenario, plan, calendar, unit_streams(1, 0, plan.unit.index))
        multi_day = w.deadline_wd > 0
        assert multi_day.any()
        waiting[plan.unit.kind] = (w.paused_wd[multi_day] > 0).mean()
    assert waiting == {"ward": 0.0, "centre": 1.0}


def test_the_centre_has_its_own_time_to_supply_papers():
    """scenario.centre_supplement_wait_wd applies to the branches, scenario.supplement_wait_wd to the units."""
    from sim.engines.streams import unit_streams
    from sim.engines.workload import draw_workload
    from sim.experiments.runner import calendar_for

    no_obligations = [f"procedures.{p.name}.obligation_share=0" for p in scenario_from().procedures]
    scenario = scenario_from("city.units=[ba_dinh,centre_branch_01]", "period.end=2025-07-14",
                             "scenario.supplement_share=1", "scenario.centre_supplement_share=1",
                             "scenario.supplement_wait_wd={kind: constant, mean: 3, cv: 0}",
                             "scenario.centre_supplement_wait_wd={kind: constant, mean: 40, cv: 0}", *no_obligations)
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    waits = {}
    for plan in scenario.units:
        w = draw_workload(scenario, plan, calendar, unit_streams(1, 0, plan.unit.index))
        waits[plan.unit.kind] = set(np.unique(w.paused_wd[w.deadline_wd > 0]).tolist())
    assert waits == {"ward": {3.0}, "centre": {40.0}}
