"""The city plans under Decree 370 (sim.experiments.city_plans) and the Decree 307 classes they
rest on (sim.model.unit_class): classes by hand, the class rule's order, the cap, the positions a
plan costs, and bad input stopped with one line naming the key."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.api import load_config
from sim.errors import ConfigError
from sim.experiments.city_plans import CHANGE, city_plans
from sim.experiments.recommendation import recommend_spec
from sim.experiments.structure_plan import GAIN_KPI, _plan, positions
from sim.model.city import Unit
from sim.model.unit_class import CLASSES, classify
from tests.conftest import run_module, scenario_from

DEFAULT = load_config()
DEFAULT_CLASSES = DEFAULT.structure.classes


def unit(kind: str, population: int, area: float, slug: str = "x") -> Unit:
    return Unit(0, slug, slug, kind, area, population, population, False)


def classes_of(*units: Unit, **overrides) -> list[dict]:
    from omegaconf import OmegaConf

    c = OmegaConf.to_container(DEFAULT_CLASSES, resolve=True)
    for kind, other in overrides.items():
        c[kind]["other_points"] = other
    return classify(list(units), c)


def test_classes_by_hand_from_the_scoring():
    """Ward: 15 points at 21,000 people (5.5 km²) or less, +0.5 per 1,050 people (1.1 km²) pro rata,
    at most 25; commune: 15 at 20,000 (50 km²), +0.5 per 1,000 (10 km²); others 36 (ward), 28 (commune)."""
    small_ward, ha_dong, commune = classes_of(unit("ward", 31_500, 6.6), unit("ward", 185_205, 9.0),
                                              unit("commune", 30_000, 70.0))
    assert (small_ward["population_points"], small_ward["area_points"], small_ward["points"]) == (20.0, 15.5, 71.5)
    assert small_ward["unit_class"] == "II"  # 60 <= 71.5 < 75
    assert (ha_dong["population_points"], ha_dong["area_points"]) == (25.0, 16.59)  # 15 + 0.5 x 3.5 / 1.1
    assert ha_dong["points"] == 77.59 and ha_dong["unit_class"] == "I"
    assert (commune["population_points"], commune["area_points"], commune["points"]) == (20.0, 16.0, 64.0)
    assert commune["unit_class"] == "II"
    tiny = classes_of(unit("commune", 5_000, 10.0))[0]
    assert tiny["points"] == 58.0 and tiny["unit_class"] == "III"  # 15 + 15 + 28 < 60
    big_ward, big_commune = classes_of(unit("ward", 300_000, 40.0), unit("commune", 300_000, 400.0),
                                       ward=40, commune=40)
    assert big_ward["points"] == 90.0 and big_ward["unit_class"] == "special"  # 90 points or more
    assert big_commune["points"] == 90.0 and big_commune["unit_class"] == "I"  # a commune is never special


def synthetic_table(extra: int = 1) -> pd.DataFrame:
    """Every unit of the city under one alternative: wards gain ``extra`` departments (and a
    position each), communes none; gains fall with the table's order."""
    units = scenario_units()
    ward = np.array([u.kind == "ward" for u in units])
    n = len(units)
    return pd.DataFrame({"slug": [u.slug for u in units], "name": [u.name for u in units],
                         "kind": [u.kind for u in units], "structure": "alt",
                         "extra_departments": np.where(ward, extra, 0), "positions_added": np.where(ward, extra, 0),
                         CHANGE: np.linspace(2, -1, n), f"{CHANGE}_ci95_low": np.linspace(1.5, -1.5, n),
                         f"{CHANGE}_ci95_high": np.linspace(2.5, -0.5, n)})


def test_the_class_rule_takes_the_best_classes_first_and_no_plan_exceeds_the_cap():
    cfg = load_config("structure.max_average_units=4.2", "structure.classes.ward.other_points=40")
    table = synthetic_table()
    plans = city_plans(cfg, _plan(cfg, table))
    rank = {r["slug"]: (CLASSES.index(r["unit_class"]), -r["points"]) for r in
            classes_of(*scenario_units(), ward=40)}
    chosen = plans.units[plans.units["plan"] == "class"]
    assert len(chosen) == 25  # floor(4.2 x 126 - 4 x 126) departments of room, one each
    order = [rank[s] for s in chosen["slug"]]
    assert order == sorted(order)  # special first, then I ...; more points first within a class
    left = [rank[s] for s in table[(table["kind"] == "ward") & ~table["slug"].isin(chosen["slug"])]["slug"]]
    assert max(order) <= min(left)
    assert (chosen["unit_class"].iloc[0] in ("special", "I"))
    by_population = plans.units[plans.units["plan"] == "population"]
    assert (by_population["population"] >= 100_000).all()
    assert list(by_population["population"]) == sorted(by_population["population"], reverse=True)
    for _, row in plans.summary.iterrows():
        assert row["average_after"] <= row["limit"] + 1e-9, row["plan"]
        assert row["departments_added"] == plans.units[plans.units["plan"] == row["plan"]]["extra_departments"].sum()


def test_a_structure_adding_two_departments_still_keeps_every_plan_within_the_cap():
    cfg = load_config("structure.max_average_units=4.2")
    plans = city_plans(cfg, _plan(cfg, synthetic_table(extra=2)))
    for _, row in plans.summary.iterrows():
        assert row["average_after"] <= row["limit"] + 1e-9, row["plan"]
    assert (plans.summary["departments_added"] <= 25).all()


def test_no_plan_adds_more_positions_than_the_payroll_quota():
    """structure.max_added_positions: with room for 25 departments under the cap but 7 positions
    (each ward's department costs one here), every plan stops at 7 positions."""
    cfg = load_config("structure.max_average_units=4.2", "structure.max_added_positions=7")
    plans = city_plans(cfg, _plan(cfg, synthetic_table()))
    for _, row in plans.summary.iterrows():
        assert row["positions_added"] <= 7, row["plan"]
    assert plans.summary.set_index("plan").loc["class", "positions_added"] == 7  # the quota binds, not the cap
    unlimited = city_plans(load_config("structure.max_average_units=4.2"), _plan(cfg, synthetic_table()))
    assert unlimited.summary.set_index("plan").loc["class", "positions_added"] == 25


@pytest.mark.parametrize("value", ["-1", "2000000"])
def test_a_bad_positions_quota_names_its_key(value):
    with pytest.raises(ConfigError) as e:
        scenario_from("city.units=[ba_dinh]", f"structure.max_added_positions={value}")
    assert e.value.key == "structure.max_added_positions"


def test_a_run_whose_structure_adds_more_positions_than_the_quota_is_refused(tmp_path):
    """A configured run of four departments in the large wards: under extra_head each new department's
    head is a new post, so a quota below the wards' count is refused before anything runs, in one
    line naming the key; the same run within the quota, or with a quota of 0 under three departments, runs."""
    from sim.model.structures import positions_added
    from tests.conftest import run_module

    wards = "city.units=[ha_dong,bach_mai,tuong_mai]"
    expand = ("structure=four_departments_land", "staff.policy=extra_head")
    scenario = scenario_from(wards, *expand, "structure.max_added_positions=3")  # one head each: exactly the quota
    assert [len(p.organisation.structure.departments) for p in scenario.units] == [4, 4, 4]
    with pytest.raises(ConfigError) as e:
        scenario_from(wards, *expand, "structure.max_added_positions=2")
    assert e.value.key == "structure.max_added_positions" and "adds 3 positions" in str(e.value)
    scenario_from(wards, "structure.max_added_positions=0")  # Decree 150's departments add nothing
    done = run_module("sim", wards, *expand, "structure.max_added_positions=2", "replications=1", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "structure.max_added_positions" in done.stderr
    assert not (tmp_path / "results").exists() or not any((tmp_path / "results").rglob("summary.json"))
    # the rule by hand: a head more, the officers kept (extra_head), or a head out of them (same_headcount)
    four = scenario.units[0].organisation.structure
    assert positions_added(four, [5, 5, 5, 3], 18) == 1 and positions_added(four, [5, 5, 5, 2], 18) == 0


def scenario_units():
    """The city's 126 units (the unit table, no Centre branch)."""
    from sim.model.city import load_units

    return [u for u in load_units(DEFAULT.city.table, DEFAULT.city.suspect_population) if u.kind != "centre"]


def test_positions_a_plan_costs_are_the_hand_count():
    """Hoàn Kiếm from three departments to four with extra_head: the officers stay, the new
    department's head is a new post and the 6 deputies are shared: one position more."""
    three = scenario_from("city.units=[hoan_kiem]", "staff.policy=extra_head").units[0].organisation
    four = scenario_from("city.units=[hoan_kiem]", "staff.policy=extra_head",
                         "structure=four_departments_land").units[0].organisation
    assert sum(three.approvers) == 3 + 6 and sum(four.approvers) == 4 + 6
    assert sum(four.staff) == sum(three.staff)
    assert positions(four) - positions(three) == 1
    table = synthetic_table()
    plans = city_plans(DEFAULT, _plan(DEFAULT, table))
    for name, frame in plans.units.groupby("plan"):
        cost = table.set_index("slug").loc[frame["slug"], "positions_added"].sum()
        assert plans.summary.set_index("plan").loc[name, "positions_added"] == cost == len(frame)


def test_the_plan_gain_weights_each_unit_by_its_records_received():
    cfg = load_config("structure.max_average_units=4.2")
    table = synthetic_table()
    plan = _plan(cfg, table)
    slugs = list(table["slug"])
    plan.paired = pd.DataFrame([{"slug": s, "structure": "alt", "replication": r, CHANGE: 1.0 + r,
                                 "received": 100 if k % 2 else 300} for k, s in enumerate(slugs) for r in range(3)])
    plans = city_plans(cfg, plan)
    for name, frame in plans.units.groupby("plan"):
        weights = [100 if slugs.index(s) % 2 else 300 for s in frame["slug"]]
        total = sum(100 if k % 2 else 300 for k in range(len(slugs)))
        by_hand = np.mean([(1.0 + r) * sum(weights) / total for r in range(3)])
        assert plans.summary.set_index("plan").loc[name, CHANGE] == pytest.approx(by_hand)


@pytest.mark.parametrize("override, key", [
    ("recommend.plan_min_population=-1", "recommend.plan_min_population"),
    ("recommend.plan_min_population=nan", "recommend.plan_min_population"),
])
def test_a_bad_population_threshold_names_its_key(override, key):
    with pytest.raises(ConfigError) as e:
        recommend_spec(load_config("city.units=[ba_dinh]", override))
    assert e.value.key == key


@pytest.mark.parametrize("override, key", [
    ("structure.max_average_units=3.5", "structure.max_average_units"),  # the baseline already uses 4
    ("structure.classes.ward.other_points=nan", "structure.classes.ward.other_points"),
    ("structure.classes.commune.other_points=-3", "structure.classes.commune.other_points"),
    ("structure.classes.ward.population.base_points=nan", "structure.classes.ward.population.base_points"),
    ("structure.classes.commune.area.step=0", "structure.classes.commune.area.step"),
    ("structure.classes.class_i_points=50", "structure.classes.class_i_points"),  # below class II's 60
])
def test_bad_class_points_or_cap_name_their_key(override, key):
    with pytest.raises(ConfigError) as e:
        scenario_from("city.units=[ba_dinh]", override)
    assert e.value.key == key


@pytest.mark.parametrize("override, key", [("recommend.plan_min_population=-5", "recommend.plan_min_population"),
                                           ("structure.max_average_units=3.9", "structure.max_average_units")])
def test_the_command_stops_bad_plan_input_in_one_line(override, key, tmp_path):
    done = run_module("sim.recommend", "city.units=[ba_dinh]", "replications=1",
                      "recommend.structures=[four_departments_land]", override, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sim: error: ") and key in lines[0], done.stderr
    assert not list(tmp_path.rglob("recommendation.json")) and not list(tmp_path.rglob("structure_plans.csv"))


def test_a_small_run_writes_the_three_plans(tmp_path):
    """End to end on two units: the paired comparison, the plans and structure_plans.csv."""
    from sim.experiments.structure_plan import structure_plan
    from sim.outputs.csv_files import write_csv

    cfg = load_config("city.units=[hoan_kiem,soc_son]", "period.end=2025-07-14", "replications=2",
                      "staff.policy=extra_head", "recommend.structures=[four_departments_land]")
    plan = structure_plan(cfg, workers=1)
    plans = city_plans(cfg, plan)
    rows = plan.table.set_index("slug")
    assert rows.loc["hoan_kiem", "positions_added"] == 1 and rows.loc["soc_son", "positions_added"] == 0
    by_class = plans.units[plans.units["plan"] == "class"]
    assert list(by_class["slug"]) == ["hoan_kiem"]  # the only ward; the commune gains no department
    assert plans.summary.set_index("plan").loc["class", "positions_added"] == 1
    assert set(plan.paired["replication"]) == {0, 1} and GAIN_KPI in CHANGE
    write_csv(plans.units, tmp_path / "structure_plans.csv")
    assert set(pd.read_csv(tmp_path / "structure_plans.csv")["plan"]) <= {"gain", "class", "population"}


@pytest.mark.parametrize("language, heading", [("en", "Three city plans"), ("vi", "Ba phương án")])
def test_the_report_shows_the_plans_side_by_side(language, heading):
    """One row per plan, in the page's language, under its heading (the report's template holds the
    section; tests/test_report_templates.py renders it)."""
    from sim.outputs.language import text
    from sim.outputs.recommendation_report import _plans_table

    plan = _plan(DEFAULT, synthetic_table())
    plan.plans = city_plans(DEFAULT, plan)
    shown = _plans_table(plan.plans.summary, language)
    assert len(shown) == 3 and text("column_plan_positions", language) in shown.columns
    assert text("r_plans_heading", language).startswith(heading)
    assert list(shown.iloc[:, 0]) == [text(f"plan_{p}", language) for p in ("gain", "class", "population")]


def test_the_verdict_names_each_plan_with_its_cost_and_gain():
    from sim.outputs.recommendation_report import _plans_sentence

    plan = _plan(DEFAULT, synthetic_table())
    plan.paired = pd.DataFrame([{"slug": s, "structure": "alt", "replication": r, CHANGE: 0.5 * r, "received": 10}
                                for s in synthetic_table()["slug"] for r in range(3)])
    summary = city_plans(DEFAULT, plan).summary
    line = _plans_sentence(summary, "en")
    for _, row in summary.iterrows():
        assert f"+{row['positions_added']} positions" in line
    assert "by Decree 307 class" in line and "theo dân số" in _plans_sentence(summary, "vi")
