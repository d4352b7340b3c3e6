"""Staff from the city's positions (staff.rule=allocated): the total is the positions x the
processing share exactly, units and departments get officers in proportion to their expected
workload, overrides win, a bad override table stops with one line; and the expected offered load
per department, without simulating."""

from __future__ import annotations

import csv
import io

import pytest

from sim.analysis.offered_load import expected_loads
from sim.analysis.scopes import CENTRE_KIND
from sim.errors import ConfigError
from sim.model.city import Unit
from sim.model.staffing import ALLOCATED_KINDS
from sim.model.structures import Department, Structure, department_staff, split_with_floor
from tests.conftest import compose_config, run_module, scenario_from

POSITIONS = 9622  # assigned to the 126 units for 2025 (staff.city_positions)
PROCESSING = 2887  # 9,622 x 0.3 = 2,886.6, rounded
# The allocation rule at the schema's values (the documented 2,887 officers, spread by workload
# alone, every officer's time on records): the rule's mechanics, apart from the values the default
# scenario takes from the ensemble.
RULE = ("staff.procedure_share=0.3", "staff.framework_weight=0", "staff.other_duties_share=0", "staff.desk_rota_share=0")
FRAMEWORK = ("staff.rule=framework", "staff.department_split=weights", *RULE)
# The framework's cap against seed 004's demand over the city's residents (the schema's 1.03 records
# a day per 1,000) at the catalogue's effort: set here, not taken from the fitted scenario.
FRAMEWORK_LOAD = (*FRAMEWORK, "scenario.demand.records_per_1000_residents_per_day=1.03", "scenario.effort_scale=1")


@pytest.fixture(scope="module")
def default():
    """The 126 units as the allocation rule staffs them (the City Centre's branches bring their own staff)."""
    return scenario_from("centre.enabled=false", *RULE)


def expected_effort(scenario, kind: str, fields: tuple[str, ...] | None = None) -> float:
    """Mean staff minutes per record of a unit of ``kind`` (of ``fields`` only, if given),
    from the catalogue: sum of share x mean effort."""
    return sum(p.share[kind] * p.effort_minutes.mean for p in scenario.procedures
               if fields is None or p.field in fields)


def test_the_city_total_is_the_positions_times_the_processing_share_exactly(default):
    assert len(default.units) == 126
    assert sum(sum(plan.staff) for plan in default.units) == PROCESSING
    other = scenario_from("centre.enabled=false", "staff.city_positions=9536", "staff.procedure_share=0.25")  # June 2025's 9,536 officials
    assert sum(sum(plan.staff) for plan in other.units) == round(9536 * 0.25) == 2384


def test_units_get_officers_in_proportion_to_their_expected_workload(default):
    """Above the floor, a unit's officers are its share of the officers left after the floored
    units, by workload (population x the kind's mean effort per record), within rounding (< 1)."""
    workload = {plan.unit.slug: plan.unit.population * expected_effort(default, plan.unit.kind)
                for plan in default.units}
    staff = {plan.unit.slug: sum(plan.staff) for plan in default.units}
    floored = {slug for slug, n in staff.items() if n == 3}
    assert len(floored) < 5  # the floor (one officer per department) binds for a few tiny units only
    free_total = PROCESSING - sum(staff[s] for s in floored)
    free_workload = sum(w for s, w in workload.items() if s not in floored)
    for slug, n in staff.items():
        if slug not in floored:
            assert abs(n - free_total * workload[slug] / free_workload) < 1, slug
    assert max(staff.values()) > 2 * 21  # the largest units are not held at a cap (framework: 21 at most)


def test_departments_get_officers_in_proportion_to_the_workload_of_their_fields(default):
    for plan in default.units:
        departments = plan.organisation.structure.departments
        work = [expected_effort(default, plan.unit.kind, d.fields) for d in departments]
        total = sum(plan.staff)
        for d, n, w in zip(departments, plan.staff, work):
            share = total * w / sum(work)
            assert n >= 1 and (n == 1 or abs(n - share) < 1 + 1e-9 or share < 1), (plan.unit.slug, d.name)


def test_no_department_is_expected_above_capacity_under_the_rule_alone(default):
    loads = expected_loads(default)
    assert len(loads) == 3 * 126
    assert max(load.load for load in loads) < 1
    assert not any(load.overloaded for load in loads)


def test_the_default_loads_a_few_departments_beyond_their_sessions_and_overtime_keeps_them_up():
    """The default scenario (the ensemble's central member: 1,401 officers, a fifth of their time on
    other duties) loads the officers hard: some small departments, whose officers round down, are
    expected above their session time, and only the overtime the default allows keeps up with
    them (3 hours after each of the period's 44 weekdays: 1 + 180 x 44 / 61 / 360 of the session
    capacity of 360 minutes a calendar day)."""
    cfg = compose_config("centre.enabled=false")
    loads = expected_loads(scenario_from("centre.enabled=false"))
    over = [x.load for x in loads if x.load > 1]
    assert cfg.staff.overtime.enabled and cfg.staff.overtime.hours_per_day == 3
    assert 0 < len(over) < 0.1 * len(loads)
    assert max(over) < 1 + 180 * 44 / 61 / 360
    assert 0.7 < sum(x.load for x in loads) / len(loads) < 0.85  # the members' utilisation 0.70-0.83


def test_the_capped_framework_leaves_large_units_above_capacity():
    """The check can fail: under the capped framework headcount the large units' departments are
    expected above 1 (Ha Dong's office, the economic departments of Dong Anh and Soc Son)."""
    loads = {(load.slug, load.department): load.load for load in expected_loads(scenario_from(*FRAMEWORK_LOAD))}
    over = {key for key, value in loads.items() if value > 1}
    assert {("ha_dong", "office"), ("dong_anh", "economic"), ("soc_son", "economic")} <= over
    assert len({slug for slug, _ in over}) >= 10


def test_the_offered_load_is_expected_work_over_capacity(default):
    """Ba Dinh's economic department by hand: records a day x share x mean effort of its
    procedures, over officers x session minutes a day (1 July - 30 August 2025: 44 weekdays of 450
    minutes and 9 Saturday mornings of 240, over 61 days = 360 a day)."""
    plan = next(p for p in default.units if p.unit.slug == "ba_dinh")
    load = next(x for x in expected_loads(default) if x.slug == "ba_dinh" and x.department == "economic")
    economic = default.structure.departments[1]
    work = plan.records_per_day * expected_effort(default, "ward", economic.fields)
    assert load.capacity_minutes_per_day == pytest.approx(plan.staff[1] * 360)
    assert load.load == pytest.approx(work / (plan.staff[1] * 360))


def test_a_units_staff_do_not_depend_on_which_units_are_selected(default):
    full = {plan.unit.slug: plan.staff for plan in default.units}
    for plan in scenario_from("city.units=[ba_dinh,soc_son]", *RULE).units:
        assert plan.staff == full[plan.unit.slug]


def write_table(tmp_path, text: str):
    path = tmp_path / "staff.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_override_table_and_per_unit_win_over_the_rule(default, tmp_path):
    rule = {plan.unit.slug: plan.staff for plan in default.units}
    table = write_table(tmp_path, "slug,department,staff\nba_dinh,economic,9\nsoc_son,office,30\n")
    by_table = {p.unit.slug: p.staff for p in scenario_from(f"staff.table={table}", *RULE).units}
    assert by_table["ba_dinh"] == (rule["ba_dinh"][0], 9, rule["ba_dinh"][2])
    assert by_table["soc_son"] == (30, *rule["soc_son"][1:])
    assert by_table["hoan_kiem"] == rule["hoan_kiem"]
    both = {p.unit.slug: p.staff for p in scenario_from(f"staff.table={table}", "+staff.per_unit.ba_dinh={economic:11}").units}
    assert both["ba_dinh"][1] == 11 and both["soc_son"][0] == 30  # per_unit over the table, the table elsewhere


@pytest.mark.parametrize("text, problem", [
    ("slug,department,staff\nba_dinh,economic,many\n", "line 2: column 'staff': 'many' is not a whole number"),
    ("slug,department,staff\nba_dinh,economic,9\nhoan_kiem,economic,0\n", "line 3: column 'staff': must be between 1"),
    ("slug,department,staff\nba_dinh,economic,9\nnowhere,office,3\n", "line 3: column 'slug': unknown unit slug 'nowhere'"),
    ("slug,department,staff\nba_dinh,land,4\n", "line 2: column 'department': unknown department 'land' of unit ba_dinh"),
    ("slug,department,staff\nba_dinh,office,4\nba_dinh,office,5\n", "line 3: ba_dinh office is already given on line 2"),
    ("slug,dept,staff\nba_dinh,office,4\n", "no column 'department'"),
    ("slug,department,staff\nba_dinh,office,4,7\n", "line 2: more fields than the header has columns"),
])
def test_a_bad_table_names_the_file_line_and_column(tmp_path, text, problem):
    table = write_table(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        scenario_from(f"staff.table={table}")
    assert caught.value.key == "staff.table"
    assert str(table) in caught.value.problem and problem in caught.value.problem


def test_a_bad_table_stops_the_command_in_one_line(tmp_path):
    table = write_table(tmp_path, "slug,department,staff\nba_dinh,economic,-2\n")
    done = run_module("sim.units", f"staff.table={table}", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith(f"sim: error: staff.table: {table}: line 2: column 'staff'")


def test_too_few_positions_for_the_floor_are_refused():
    with pytest.raises(ConfigError) as caught:
        scenario_from("staff.city_positions=1000", *RULE)  # 300 officers for 378 departments
    assert caught.value.key == "staff.city_positions" and "378" in caught.value.problem


def test_the_centre_is_not_a_kind_the_positions_are_spread_over():
    """The Centre's branches bring their own staff: a node of kind centre takes no share."""
    from sim.config.build import _allocation

    assert CENTRE_KIND not in ALLOCATED_KINDS
    base = Structure("three", "", (Department("office", "", ("justice",), 1.0),))
    effort = {"ward": {"justice": 10.0}, "commune": {"justice": 10.0}}
    staff = {"min_per_department": 1, "city_positions": 100, "procedure_share": 0.5}
    units = [Unit(0, "w", "W", "ward", 1.0, 3000, 3000, False), Unit(1, "c", "C", "commune", 1.0, 1000, 1000, False),
             Unit(2, "branch", "B", CENTRE_KIND, 1.0, 10**6, 10**6, False)]
    assert _allocation(staff, units, base, effort, rate=0.001) == {"w": 38, "c": 12}


@pytest.mark.parametrize("total, weights, minimum, expected", [
    # 10 over 1:8:1: 1, 8, 1 exactly.
    (10, [1, 8, 1], 1, [1, 8, 1]),
    # 4 over 0.1:0.8:0.1 would be 0.4, 3.2, 0.4: the two small ones are raised to 1 and the
    # large one keeps the rest, 2 (a minimum first, as split_by_weight gives, would also be 2).
    (4, [0.1, 0.8, 0.1], 1, [1, 2, 1]),
    # 20 over 1:5:5 with at least 2: 1.82 is raised to 2; 18 over 5:5 is 9 each.
    (20, [1, 5, 5], 2, [2, 9, 9]),
    # 13 over 1:3:6 is 1.3, 3.9, 7.8: floors 1, 3, 7, the two spare to the largest remainders (0.9, 0.8).
    (13, [1, 3, 6], 1, [1, 4, 8]),
    # minimums of their own: 5 over 0:0 with minimums 1 and 2: 1 and 2, then the spare one to the first.
    (5, [0, 0], [1, 2], [2, 3]),
])
def test_split_with_floor(total, weights, minimum, expected):
    assert split_with_floor(total, weights, minimum) == expected
    assert sum(expected) == total


def test_a_department_split_out_shares_the_officers_of_the_one_it_leaves_by_workload():
    office = Department("office", "Office", ("justice",), 0.5)
    economic = Department("economic", "Economic", ("land", "business"), 0.5)
    three = Structure("three", "", (office, economic))
    four = Structure("four", "", (office, Department("economic", "Economic", ("business",), 0.1),
                                  Department("land", "Land", ("land",), 0.4)), otherwise=three)
    effort = {"justice": 10.0, "land": 24.0, "business": 6.0}

    def workload(d: Department) -> float:
        return sum(effort[f] for f in d.fields)

    # 20 over 10 : 30: 5 and 15. The split-out departments share the economic 15 as 6 : 24: 3, 12.
    assert department_staff(three, 20, "same_headcount", workload) == [5, 15]
    assert department_staff(four, 20, "extra_head", workload) == [5, 3, 12]
    # same_headcount: land, new, takes its head from its officers; economic keeps its name and head.
    assert department_staff(four, 20, "same_headcount", workload) == [5, 3, 11]


def test_units_lists_staff_and_expected_load_per_department(tmp_path, default):
    done = run_module("sim.units", "--loads", "--csv", "city.units=[ha_dong,ba_dinh]", *RULE, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["slug"], r["department"]) for r in rows] == [
        (s, d) for s in ("ha_dong", "ba_dinh") for d in ("office", "economic", "culture_society")]
    expected = {(x.slug, x.department): x for x in expected_loads(default)}
    for r in rows:
        load = expected[r["slug"], r["department"]]
        assert int(r["staff"]) == load.staff and float(r["load"]) == pytest.approx(load.load, abs=5e-4)
        assert r["overloaded"] == "False"
    framework = run_module("sim.units", "--loads", "city.units=[ha_dong,ba_dinh]", *FRAMEWORK_LOAD, cwd=tmp_path)
    assert framework.returncode == 0, framework.stderr
    assert "ABOVE 1" in framework.stdout and "of 6 departments have an expected offered load above 1" in framework.stdout
    assert "ha_dong office 1.2" in framework.stdout
