"""python -m sim.recommend: the fewest counters and officers that meet the targets.

A unit whose counters are an M/M/c queue has a known answer (the smallest c whose Erlang C 90th
percentile of the wait meets the target); a recommendation, applied through the overrides it
writes, gives a run exactly the plans it simulated and meets its targets on fresh replications;
bad settings stop with one message naming the key.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.analysis.queueing import erlang_c_wait_quantile, servers_for_wait_quantile
from sim.api import load_config
from sim.config.build import build_scenario
from sim.errors import ConfigError
from sim.experiments import recommendation as rec_module
from sim.experiments.recommendation import (ACCEPTED, REJECTED, TARGETS, Planner, candidate_verdict, recommend,
                                            recommend_spec)
from sim.outputs.recommendation_report import overrides, recommendation_table, summary, write_recommendation
from tests.conftest import FORMER_DEFAULT, run_module, scenario_from

SERVICE_MEAN = 10.0  # minutes, sim/conf/procedures/single_exponential.yaml
UNIT = "ba_dinh"
NO_OTHER_TARGETS = ("recommend.targets.on_time_of_received_pct=null", "recommend.targets.backlog_growth=null",
                    "recommend.targets.overtime_hours_per_officer_week=null")


def mmc_config(arrival_rate: float, target: float, *extra: str):
    population = scenario_from(f"city.units=[{UNIT}]").units[0].unit.population
    return load_config("+experiment=erlang_check", f"city.units=[{UNIT}]", "desks.fixed=2",
                       f"scenario.demand.records_per_1000_residents_per_day={arrival_rate * 1440 * 1000 / population}",
                       "period.end=2025-07-07", f"recommend.targets.desk_wait_p90_min={target}",
                       *NO_OTHER_TARGETS, *extra)


def test_erlang_c_quantile_is_the_closed_form():
    """P(W > t) = C(c, a) e^{-(cμ-λ)t} at the returned quantile, and 0 when few enough wait."""
    lam, c = 0.35, 5
    t = erlang_c_wait_quantile(lam, SERVICE_MEAN, c, 0.9)
    from sim.analysis.queueing import erlang_c_probability

    assert erlang_c_probability(lam * SERVICE_MEAN, c) * math.exp(-(c / SERVICE_MEAN - lam) * t) == pytest.approx(0.1)
    assert erlang_c_wait_quantile(lam, SERVICE_MEAN, 8, 0.9) == 0.0
    assert erlang_c_wait_quantile(lam, SERVICE_MEAN, 3, 0.9) == math.inf


@pytest.mark.parametrize("arrival_rate, target", [(0.35, 5.0), (0.5, 10.0)])
def test_mmc_unit_gets_the_smallest_count_erlang_c_allows(arrival_rate, target):
    smallest = servers_for_wait_quantile(arrival_rate, SERVICE_MEAN, target, 0.9, 100)
    assert erlang_c_wait_quantile(arrival_rate, SERVICE_MEAN, smallest - 1, 0.9) > target  # the answer is sharp
    result = recommend(mmc_config(arrival_rate, target), workers=1)
    (search,) = result.searches
    assert [r.kind for r in search.resources] == ["counters"]  # no back office: counters only
    assert search.screened == (smallest,)
    assert search.x == (smallest,) and search.outcome == "minimal"
    assert candidate_verdict(result.reps(search, (smallest - 1,)), result.spec)[0] == REJECTED  # one fewer fails


def test_search_climbs_from_a_start_that_is_too_low(monkeypatch):
    """The simulation, not the screen, decides: started from 2 counters it adds one at a time."""
    arrival_rate, target = 0.35, 5.0
    smallest = servers_for_wait_quantile(arrival_rate, SERVICE_MEAN, target, 0.9, 100)
    screen = rec_module.screen

    def low_screen(*args, **kwargs):
        return [rec_module.dataclasses.replace(s, vector=(2,)) for s in screen(*args, **kwargs)]

    monkeypatch.setattr(rec_module, "screen", low_screen)
    result = recommend(mmc_config(arrival_rate, target), workers=1)
    (search,) = result.searches
    assert search.screened == (2,)
    assert search.x == (smallest,)
    assert search.steps == ["+all"] * (smallest - 2)


UNITS = ("ba_dinh", "hoan_kiem")
SHORT = ("centre.enabled=false", "period.end=2025-07-21", "recommend.max_replications=10")


@pytest.fixture(scope="module")
def city_recommendation():
    cfg = load_config(f"city.units=[{','.join(UNITS)}]", *SHORT)
    return cfg, recommend(cfg, workers=2)


def test_recommended_overrides_build_the_plans_that_were_simulated(city_recommendation):
    cfg, result = city_recommendation
    applied = build_scenario(load_config(f"city.units=[{','.join(UNITS)}]", *SHORT, *overrides(result)))
    planner = Planner.of(cfg, result.scenario, result.spec)
    for search in result.searches:
        simulated = planner.apply(result.scenario.units[search.position], search.x)
        built = applied.units[search.position]
        assert built.desk_plan == simulated.desk_plan
        officers = tuple(v for v, r in zip(search.x, search.resources) if r.kind == "officers")
        assert built.staff == simulated.staff == officers  # the vector's officers (after one count per counter group)
        assert built.organisation.pool_staff == simulated.organisation.pool_staff
        assert built.organisation.approvers == simulated.organisation.approvers


@pytest.mark.slow
def test_a_recommendation_with_a_centre_branch_round_trips_to_the_plans_it_simulated():
    """One plan builder: the counters a recommendation tries at a Centre branch are split over the
    counter groups exactly as a run of its overrides splits them (visits included)."""
    units = "city.units=[ba_vi,centre_branch_07]"
    cfg = load_config(units, "period.end=2025-07-14", "recommend.max_replications=5", "recommend.max_rounds=3")
    result = recommend(cfg, workers=2)
    applied = build_scenario(load_config(units, "period.end=2025-07-14", *overrides(result)))
    planner = Planner.of(cfg, result.scenario, result.spec)
    for search in result.searches:
        simulated = planner.apply(result.scenario.units[search.position], search.x)
        built = applied.units[search.position]
        assert built.desk_plan == simulated.desk_plan, built.unit.slug
        assert built.staff == simulated.staff
        assert built.effort_factor == simulated.effort_factor
    # fewest means fewest: no unit ends with more counters than it needs because a group had none
    ba_vi = next(s for s in result.searches if result.scenario.units[s.position].unit.slug == "ba_vi")
    floors = [r.floor for r in ba_vi.resources if r.kind == "counters"]
    assert 0 in floors  # a group served by the general counter may have none of its own


def test_a_unit_that_meets_its_targets_today_keeps_no_more_counters_than_today():
    """The search starts its counters from no more than today's (Ba Vì had 2 and was given 4, one
    per counter group, though it met every target with 2)."""
    cfg = load_config("city.units=[ba_vi]", "period.end=2025-07-14")
    scenario = build_scenario(cfg)
    planner = Planner.of(cfg, scenario, recommend_spec(cfg))
    plan = scenario.units[0]
    screened = rec_module.screen(planner, rec_module.session_minutes_per_day(scenario),
                                 rec_module.calendar_for(scenario.calendar, scenario.start, scenario.days))[0]
    today = planner.current(plan)
    start = rec_module.starting_vector(planner, plan, screened)
    n = sum(r.kind == "counters" for r in planner.resources(plan))
    assert sum(start[:n]) <= sum(today[:n]) < sum(screened.vector[:n])


def test_recommendation_meets_its_targets_on_fresh_replications(city_recommendation):
    cfg, result = city_recommendation
    assert all(s.outcome == "minimal" for s in result.searches)
    fresh = load_config(f"city.units=[{','.join(UNITS)}]", *SHORT, *overrides(result), f"seed={cfg.seed + 1}",
                        "replications=8")
    from sim.api import run

    units = run(fresh, workers=2).unit_replications
    for name, value in result.spec.targets.items():
        kpi, sense = TARGETS[name]
        if kpi not in units:  # backlog: the departments' load, checked below
            continue
        for slug, rows in units.groupby("slug"):
            values = rows[kpi].dropna().to_numpy()
            met = np.mean(values <= value + 1e-9) if sense == "max" else np.mean(values >= value - 1e-9)
            assert met >= 0.75, (slug, name, values)  # the stated 0.9, less what 8 replications can tell


def test_files_and_summary(city_recommendation, tmp_path):
    _, result = city_recommendation
    write_recommendation(tmp_path, result)
    table = recommendation_table(result)
    assert set(table["slug"]) == set(UNITS)
    assert (table["change"] == table["recommended"] - table["current"]).all()
    assert (tmp_path / "recommendation.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # opens in Excel
    s = summary(result)
    assert s["totals"]["officers"]["recommended"] == sum(v for x in result.searches
                                                         for v, r in zip(x.x, x.resources) if r.kind == "officers")
    assert set(s["time_s"]) == {"screening", "simulation"}
    assert "verdict" in (tmp_path / "report.html").read_text()
    for name in ("recommendation.csv", "recommendation_units.csv"):
        assert (tmp_path / name).read_bytes().startswith(b"\xef\xbb\xbf")  # through write_csv: opens in Excel
    for name in ("officers_change_map.png", "counters_change_map.png", "unit_map.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


def test_the_report_leads_with_the_verdict_in_words_then_the_maps_the_glossary_and_the_detail(city_recommendation,
                                                                                               tmp_path):
    import re

    from sim.outputs.recommendation_report import unit_frame, verdict_sentences

    _, result = city_recommendation
    write_recommendation(tmp_path, result)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert (page.index("id='verdict'") < page.index("id='map_officers'") < page.index("id='map_counters'")
            < page.index("id='map_kpi'") < page.index("id='glossary'") < page.index("id='detail'"))
    terms = re.findall(r"<dt><b>(.*?)</b></dt>", page)
    assert len(terms) == len(set(terms)) and {"counter", "processing officer", "probability met"} <= set(terms)
    units = unit_frame(result)
    assert {"Phường Ba Đình", "Phường Hoàn Kiếm"} <= set(units["name"])
    verdict = page[page.index("id='verdict'"):page.index("id='map'")]
    sentences = verdict_sentences(result)
    s = summary(result)
    short = units[units["today_meets_targets"] == False]  # noqa: E712
    assert all(name in verdict for name in short["name"])  # the units short today are named
    assert f"Today {s['units_missing_targets_today']} of {s['units']} units" in sentences[1] or not len(short)
    fix = next(line for line in sentences if line.startswith("What it takes:"))
    for resource in ("counters", "officers"):
        t = s["totals"][resource]
        assert f"{t['recommended']} {'counters' if resource == 'counters' else 'processing officers'} (today {t['current']})" in fix
        moved = units[units[f"{resource}_change"] != 0]
        assert all(name in fix for name in moved["name"])  # where: every unit whose count changes, by name
    table = recommendation_table(result)
    for resource in ("counters", "officers"):  # the per-unit change is the resources' changes summed
        summed = table[table["resource"] == resource].groupby("slug")["change"].sum()
        assert (units.set_index("slug")[f"{resource}_change"] == summed).all()


def test_the_workbook_holds_numbers_with_formats_and_says_how_it_was_made(city_recommendation, tmp_path):
    from openpyxl import load_workbook

    from sim.outputs.recommendation_report import unit_frame

    cfg, result = city_recommendation
    write_recommendation(tmp_path, result)
    book = load_workbook(tmp_path / "recommendation.xlsx")
    about = {row[0]: row[1] for row in book["about"].iter_rows(min_row=2, values_only=True)}
    assert about["seed"] == cfg.seed and about["scenario"] == cfg.scenario.name
    assert about["replications (first, per candidate)"] == result.spec.replications
    assert about["confidence (probability each target is met)"] == result.spec.confidence
    assert about["target: desk_wait_p90_min"] == result.spec.targets["desk_wait_p90_min"]
    assert about["simulator version"] and about["configuration hash"] and about["made on"]
    sheet = book["units"]
    header = [c.value for c in sheet[1]]
    units = unit_frame(result)
    formats = {"officers_change": "+0;-0;0", "officers_recommended": "0", "p_desk_wait_p90_min": "0%",
               "desk_wait_p90_min": "0.00", "on_time_of_received_pct_ci95_low": "0.00"}
    for column, fmt in formats.items():
        cells = [sheet.cell(row, header.index(column) + 1) for row in range(2, sheet.max_row + 1)]
        assert all(isinstance(c.value, (int, float)) and c.number_format == fmt for c in cells), column  # numbers
        assert [c.value for c in cells] == pytest.approx(list(units[column]))
    assert {"resources", "about", "units"} <= set(book.sheetnames)


def test_the_report_speaks_vietnamese(city_recommendation, tmp_path):
    import dataclasses

    from sim.outputs.recommendation_report import verdict_sentences

    _, result = city_recommendation
    vi = dataclasses.replace(result, scenario=dataclasses.replace(result.scenario, report_language="vi"))
    write_recommendation(tmp_path, vi)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.index("Kết luận") < page.index("Bản đồ") < page.index("Thuật ngữ") < page.index("Chi tiết")
    assert 'lang="vi"' in page and "Targets:" not in page and "What it takes" not in page
    sentences = verdict_sentences(vi)
    assert sentences[0].startswith("Mục tiêu:") and any(line.startswith("Cần gì:") for line in sentences)


@pytest.mark.parametrize("override, key", [
    ("+recommend.targets.desk_wait=3", "recommend.targets.desk_wait"),
    ("recommend.targets.desk_wait_p90_min=-1", "recommend.targets.desk_wait_p90_min"),
    ("recommend.targets.desk_wait_p90_min=nan", "recommend.targets.desk_wait_p90_min"),
    ("recommend.targets.on_time_of_received_pct=101", "recommend.targets.on_time_of_received_pct"),
    ("recommend.targets.backlog_growth=some", "recommend.targets.backlog_growth"),
    ("recommend.targets.overtime_hours_per_officer_week=inf", "recommend.targets.overtime_hours_per_officer_week"),
    ("recommend.confidence=1.5", "recommend.confidence"),
    ("recommend.confidence=1", "recommend.confidence"),
    ("recommend.max_replications=3", "recommend.max_replications"),
])
def test_bad_settings_name_their_key(override, key):
    with pytest.raises(ConfigError) as error:
        recommend_spec(load_config("city.units=[ba_dinh]", override))
    assert error.value.key == key


@pytest.mark.parametrize("override, message", [
    ("recommend.targets.desk_wait_p90_min=-5", "recommend.targets.desk_wait_p90_min: must be in [0, 1000000.0], got -5"),
    ("recommend.structures=[nope]", "recommend.structures[0]: unknown structure 'nope'"),
])
def test_command_line_stops_with_one_line_before_anything_runs(override, message, tmp_path):
    done = run_module("sim.recommend", "city.units=[ba_dinh]", override, cwd=tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"sim: error: {message}")
    assert "Traceback" not in done.stderr and not (tmp_path / "results").exists()


def test_accepts_only_what_clears_the_bound():
    spec = recommend_spec(load_config("city.units=[ba_dinh]"))
    close = [{TARGETS[n][0]: v for n, v in spec.targets.items()} for _ in range(5)]  # exactly at every target
    assert candidate_verdict(close, spec)[0] == ACCEPTED  # no spread: the mean decides
    noisy = [dict(r, desk_wait_p90_min=spec.targets["desk_wait_p90_min"] + d) for r, d in zip(close, [-1, 1, -1, 1, 0])]
    assert candidate_verdict(noisy, spec)[0] != ACCEPTED  # a spread around the target is not 90 % sure


# --- structure per unit ------------------------------------------------------------------------
def test_structure_comparison_is_paired_per_unit():
    """A commune, which four_departments_land leaves as it is, runs exactly as in the baseline
    (common random numbers): its change is 0 in every replication; a ward gets one department more."""
    from sim.experiments.structure_plan import structure_plan

    cfg = load_config("city.units=[soc_son,hoan_kiem]", "period.end=2025-07-14", "replications=2",
                      "recommend.structures=[four_departments_land]")
    plan = structure_plan(cfg, workers=1)
    rows = plan.table.set_index("slug")
    assert rows.loc["soc_son", "extra_departments"] == 0
    assert rows.loc["soc_son", "on_time_of_received_pct_change"] == 0
    assert rows.loc["soc_son", "on_time_of_received_pct_change_ci95_low"] == 0
    assert rows.loc["hoan_kiem", "extra_departments"] == 1
    assert plan.average_after <= plan.limit


def test_structure_plan_keeps_within_the_decree_370_limit():
    import pandas as pd

    from sim.experiments.structure_plan import _plan

    cfg = load_config("city.units=[ba_dinh]")
    slugs = [p.unit.slug for p in scenario_from().units if p.unit.kind != "centre"]
    table = pd.DataFrame({"slug": slugs, "structure": "four_departments_land", "extra_departments": 1,
                          "on_time_of_received_pct_change": np.linspace(2, -1, len(slugs)),
                          "on_time_of_received_pct_change_ci95_low": np.linspace(1.5, -1.5, len(slugs))})
    plan = _plan(cfg, table)
    room = math.floor((plan.limit - plan.average_before) * len(slugs) + 1e-9)
    assert len(plan.chosen) == min(room, int((table["on_time_of_received_pct_change_ci95_low"] > 0).sum()))
    assert plan.average_after <= plan.limit + 1e-9
    assert (plan.chosen["on_time_of_received_pct_change_ci95_low"] > 0).all()
    gains = plan.chosen["on_time_of_received_pct_change"].to_numpy()
    assert (np.diff(gains) <= 0).all()  # largest gains first
    left_out = table[~table["slug"].isin(plan.chosen["slug"])]["on_time_of_received_pct_change"]
    assert gains.min() >= left_out.max()


def test_a_unit_simulated_beside_other_candidates_gets_the_records_of_its_own_run():
    """Units are independent nodes: in a batch that holds other units and other candidates of the
    same unit, a candidate's replication is the replication a run of that unit alone gives."""
    from sim.experiments.recommendation import _simulate
    from sim.experiments.runner import run_scenario

    cfg = load_config("city.units=[ba_dinh,soc_son]", "centre.enabled=false", "period.end=2025-07-07",
                      "replications=2")
    scenario = build_scenario(cfg)
    planner = Planner.of(cfg, scenario, recommend_spec(cfg))
    ba_dinh, soc_son = scenario.units
    fewer = planner.apply(ba_dinh, tuple(max(1, v - 1) for v in planner.current(ba_dinh)))
    batch = _simulate(scenario, [(soc_son, 1), (fewer, 1), (ba_dinh, 1), (ba_dinh, 0)], workers=1)
    alone = run_scenario(scenario, workers=1, progress=False)
    for got, (plan_position, rep) in zip(batch[2:], [(0, 1), (0, 0)]):
        want = alone[rep][plan_position]
        assert np.array_equal(got.counts, want.counts) and np.array_equal(got.waits, want.waits)
    assert np.array_equal(batch[0].counts, alone[1][1].counts)
    assert not np.array_equal(batch[1].counts, batch[2].counts)  # the candidate with fewer is its own run


def test_a_step_that_buys_nothing_stops_the_unit_as_out_of_reach():
    from sim.experiments.recommendation import Resource, UnitSearch, _advance

    spec = recommend_spec(mmc_config(0.35, 5.0))
    waits = [10.0, 11.0, 10.5, 12.0, 11.0]
    search = UnitSearch(0, [Resource("counters", "all", 1, 40)], (2,), (2,), (3,), before_step=(2,))
    results = {(0, (2,)): [{"desk_wait_p90_min": w} for w in waits],
               (0, (3,)): [{"desk_wait_p90_min": w} for w in waits]}  # one more counter: the same waits
    _advance(search, results, spec)
    assert search.finished and search.outcome == "out of reach"
    assert search.out_of_reach == ("desk_wait_p90_min",) and search.x == (2,)
    results[(0, (3,))] = [{"desk_wait_p90_min": w - 3, "_group_p90": [w - 3]} for w in waits]  # it helps
    search = UnitSearch(0, [Resource("counters", "all", 1, 40)], (2,), (2,), (3,), before_step=(2,))
    _advance(search, results, spec)
    assert not search.finished and search.x == (4,)


def test_a_target_that_reach_factor_times_every_count_still_misses_is_out_of_reach():
    """The Centre's branches: more officers bring the on-time share up a little each step, towards a
    ceiling that lateness from outside the office sets; the probe tells it apart from slow progress."""
    from sim.experiments.recommendation import Resource, UnitSearch, _advance

    spec = recommend_spec(mmc_config(0.35, 5.0))
    resources = [Resource("counters", "all", 1, 40)]
    search = UnitSearch(0, resources, (2,), (2,), (4,), steps=["+all", "+all"], before_step=(3,))
    assert search.probe_due() and search.probe_vector(spec.reach_factor) == (12,)
    search.probe = (12,)
    still_long = [{"desk_wait_p90_min": w} for w in (9.0, 9.5, 10.0, 9.0, 9.5)]
    results = {(0, (3,)): [{"desk_wait_p90_min": w + 2} for w in (9.0, 9.5, 10.0, 9.0, 9.5)],
               (0, (4,)): [{"desk_wait_p90_min": w + 1, "_group_p90": [w + 1]} for w in (9.0, 9.5, 10.0, 9.0, 9.5)],
               (0, (12,)): still_long}
    _advance(search, results, spec)
    assert search.finished and search.outcome == "out of reach" and search.out_of_reach == ("desk_wait_p90_min",)
    # a probe that meets the target leaves the search climbing
    results[(0, (12,))] = [{"desk_wait_p90_min": 1.0} for _ in range(5)]
    search = UnitSearch(0, resources, (2,), (2,), (4,), steps=["+all", "+all"], before_step=(3,), probe=(12,))
    _advance(search, results, spec)
    assert not search.finished and search.x == (5,)


def test_a_unit_whose_last_removal_is_already_known_settles_without_another_round():
    """A search can move on what is already simulated: the loop must not stop it as 'rounds ran out'."""
    cfg = load_config("city.units=[ba_dinh]", *SHORT)
    (search,) = recommend(cfg, workers=1).searches
    assert search.outcome == "minimal", search.outcome


def test_officers_move_to_a_new_department_as_the_policy_says():
    from sim.experiments.structure_plan import staff_under

    three = scenario_from("city.units=[hoan_kiem]").units[0].organisation.structure
    four = scenario_from("city.units=[hoan_kiem]", "structure=four_departments_land").units[0].organisation.structure
    base = {"office": 5, "economic": 9, "culture_society": 2}
    effort = {f: 1.0 for d in four.departments for f in d.fields}
    same = staff_under(four, three, base, "same_headcount", effort, 1)
    extra = staff_under(four, three, base, "extra_head", effort, 1)
    assert sum(extra.values()) == sum(base.values())  # the head is an added post
    assert sum(same.values()) == sum(base.values()) - 1  # one officer became the new department's head
    assert same["office"] == 5 and same["culture_society"] == 2  # departments the base has unchanged keep theirs


def test_same_recommendation_whatever_the_number_of_workers():
    cfg = load_config("city.units=[ba_dinh,soc_son]", "centre.enabled=false", "period.end=2025-07-07",
                      "recommend.max_rounds=3")
    one, two = recommend(cfg, workers=1), recommend(cfg, workers=2)
    assert [s.x for s in one.searches] == [s.x for s in two.searches]
    assert one.results.keys() == two.results.keys()
    for key, reps in one.results.items():
        assert [r["desk_wait_p90_min"] for r in reps] == [r["desk_wait_p90_min"] for r in two.results[key]]
        assert [r["on_time_of_received_pct"] for r in reps] == [r["on_time_of_received_pct"] for r in two.results[key]]


@pytest.mark.slow
def test_the_plan_covering_every_member_meets_the_targets_in_every_member(tmp_path):
    """A recommendation over an ensemble: each member's own fewest counts, and the plan covering them
    all (per resource the most any member needs), applied on fresh replications, meets the targets
    in every member as stated (the tolerance a few replications allow, as above)."""
    from sim.api import run
    from sim.config.ensemble import load_ensemble, member_configs
    from sim.experiments.over_ensemble import recommend_over_ensemble
    from sim.outputs.recommendation_report import overrides

    (tmp_path / "two.yaml").write_text(
        "ensemble:\n  parameters:\n    effort_scale: {key: scenario.effort_scale, low: 0.5, high: 3.0}\n"
        "  members:\n    - {effort_scale: 1.0}\n    - {effort_scale: 2.2}\n")
    base = ("city.units=[ha_dong]", "centre.enabled=false", "period.end=2025-07-21", "recommend.max_replications=10",
            f"ensemble.path={tmp_path / 'two.yaml'}")
    over = recommend_over_ensemble(load_config(*base), workers=2)
    officers = over.totals("officers")
    assert officers[1] > officers[0]  # the heavier member needs more officers
    summary = over.summary()["totals"]["officers"]
    assert summary["covering_plan"] == max(officers) and summary["min"] == min(officers)
    import copy

    covering, counts = copy.deepcopy(over.members[0]), over.covering()
    for search in covering.searches:
        search.x = counts[search.position]
    fresh = load_config(*base, *overrides(covering), "seed=20250702", "replications=8")
    for member in member_configs(fresh, load_ensemble(str(tmp_path / "two.yaml"), fresh)):
        units = run(member, workers=2).unit_replications
        for name, value in over.members[0].spec.targets.items():
            kpi, sense = TARGETS[name]
            if kpi not in units:
                continue
            values = units[kpi].dropna().to_numpy()
            met = np.mean(values <= value + 1e-9) if sense == "max" else np.mean(values >= value - 1e-9)
            assert met >= 0.75, (member.scenario.effort_scale, name, values)


def test_a_member_that_is_the_configured_set_takes_the_point_answer_and_the_next_starts_from_it(tmp_path):
    """The default is the shipped ensemble's central member: over the ensemble, that member is not
    searched again (its answer is the configured set's, same replications and search), and the
    first member searched starts from it. Here member 0 is the configured effort scale."""
    from sim.experiments.over_ensemble import recommend_over_ensemble
    from sim.experiments.recommendation import recommend

    (tmp_path / "two.yaml").write_text(
        "ensemble:\n  parameters:\n    effort_scale: {key: scenario.effort_scale, low: 0.5, high: 3.0}\n"
        "  members:\n    - {effort_scale: 1.5}\n    - {effort_scale: 1.8}\n")
    base = ("city.units=[linh_nam]", "centre.enabled=false", "period.end=2025-07-14", "recommend.max_replications=6",
            "scenario.effort_scale=1.5", f"ensemble.path={tmp_path / 'two.yaml'}")
    cfg = load_config(*base)
    point = recommend(cfg, workers=1)
    over = recommend_over_ensemble(cfg, workers=1, point=point)
    assert over.members[0] is point  # not searched again
    alone = recommend(load_config(*base, "scenario.effort_scale=1.8"), workers=1)
    assert over.members[1].simulated <= alone.simulated  # from the point answer: no more work than a cold start
    assert [s.x for s in over.members[1].searches] == [s.x for s in alone.searches]  # and the same answer
    cold = recommend_over_ensemble(cfg, workers=1, point=point, warm=False)
    assert cold.members[0] is point and [s.x for s in cold.members[1].searches] == [s.x for s in alone.searches]


@pytest.mark.slow
def test_over_an_ensemble_the_range_comes_first_and_the_point_answer_says_it_is_one_set(tmp_path):
    """The first screen over an ensemble: the officers' range over the members right after the
    targets; the configured parameter set's own counts after it, said to be that set alone."""
    folder = tmp_path / "run"
    done = run_module("sim.recommend", "city.units=[ba_vi]", "centre.enabled=false", "period.end=2025-07-14",
                      "recommend.max_replications=5", "recommend.max_rounds=3", "ensemble.path=hanoi_2025",
                      "ensemble.members=2", "progress=false", f"hydra.run.dir={folder}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = (folder / "report.html").read_text(encoding="utf-8")
    targets, ranged = page.index("Targets:"), page.index("Over 2 plausible parameter sets")
    point = page.index("For the configured parameter set alone")
    assert targets < ranged < point < page.index("Processing officers today")


@pytest.mark.slow
def test_progress_bar_estimates_the_time_left_and_progress_false_draws_none(tmp_path):
    """progress=true: a tqdm bar on stderr over the unit-replications, with elapsed<left times and
    the round; its last count is the unit-replications the summary reports. progress=false: no bar."""
    import re

    tiny = ("city.units=[ba_dinh]", "centre.enabled=false", "period.end=2025-07-03", "recommend.replications=2",
            "recommend.max_replications=2", "recommend.max_rounds=1", "workers=1")
    drawn = run_module("sim.recommend", *tiny, "progress=true", f"hydra.run.dir={tmp_path / 'a'}", cwd=tmp_path)
    assert drawn.returncode == 0, drawn.stderr
    lines = drawn.stderr.replace("\r", "\n").splitlines()
    bar = re.compile(r"recommend: unit-replications.*\[\d\d:\d\d<\d\d:\d\d, .*round 1")  # [elapsed<left, ...]
    timed = [line for line in lines if bar.search(line)]
    assert timed, drawn.stderr
    simulated = re.search(r"\((\d+) unit-replications", drawn.stdout).group(1)
    assert f"{simulated}/{simulated} [" in timed[-1] and "still open" in timed[-1]
    quiet = run_module("sim.recommend", *tiny, "progress=false", f"hydra.run.dir={tmp_path / 'b'}", cwd=tmp_path)
    assert quiet.returncode == 0, quiet.stderr
    assert "unit-replications" not in quiet.stderr and "%|" not in quiet.stderr


@pytest.mark.parametrize("offset", [-2, 3])
def test_a_warm_start_below_or_above_the_answer_ends_at_the_same_fewest_counters(offset):
    """A warm start (the previous ensemble member's answer) only moves where the search begins: an
    M/M/c unit, whose fewest counters are sharp, gets the Erlang C answer from below and above."""
    from sim.experiments.recommendation import WarmStart

    arrival_rate, target = 0.35, 5.0
    smallest = servers_for_wait_quantile(arrival_rate, SERVICE_MEAN, target, 0.9, 100)
    result = recommend(mmc_config(arrival_rate, target), workers=1,
                       start={UNIT: WarmStart((smallest + offset,))})
    (search,) = result.searches
    assert search.x == (smallest,) and search.outcome == "minimal"
    assert search.steps == (["+all"] * -offset if offset < 0 else ["-all"] * offset)
    assert candidate_verdict(result.reps(search, (smallest,)), result.spec)[0] == ACCEPTED
    assert candidate_verdict(result.reps(search, (smallest - 1,)), result.spec)[0] == REJECTED


def test_a_warm_start_at_a_searchs_own_answer_returns_it_in_one_round():
    """Started at its own cold answer (same member, same replications), every unit keeps it: the
    answer is accepted and no single removal is, whatever path the cold search took."""
    from sim.experiments.recommendation import warm_starts

    cfg = load_config("city.units=[ba_dinh,soc_son]", *SHORT)
    cold = recommend(cfg, workers=2)
    warm = recommend(cfg, workers=2, start=warm_starts(cold))
    assert [s.x for s in warm.searches] == [s.x for s in cold.searches]
    for s in warm.searches:
        assert s.outcome == "minimal" and s.steps == []
        assert candidate_verdict(warm.reps(s, s.x), warm.spec)[0] == ACCEPTED
        for r in range(len(s.resources)):
            below = s.below(r)
            assert below is None or candidate_verdict(warm.reps(s, below), warm.spec)[0] == REJECTED
    assert warm.simulated < cold.simulated


def test_a_unit_out_of_reach_in_the_previous_member_is_probed_in_the_first_round():
    """A warm start from an out-of-reach answer runs the reach probe at once (not after two steps up);
    a probe that still misses ends the unit out of reach at the counts it started from."""
    from sim.experiments.recommendation import WarmStart

    # a wait target of a second, with at most 4 counters: 3 x 3 counters is capped at 4, still queueing
    result = recommend(mmc_config(0.35, 1 / 60, "recommend.max_desks=4"), workers=1,
                       start={UNIT: WarmStart((3,), out_of_reach=True)})
    (search,) = result.searches
    assert search.probe == (4,) and result.reps(search, (4,))
    assert search.outcome == "out of reach" and search.x == (3,) and search.steps == []


def test_a_warm_start_raises_officers_where_the_members_work_would_overload_them_and_never_lowers():
    """The next member's officers start at the previous answer, raised where this member's expected
    work (here effort 1.5 over 1.0) puts a department above both the load the previous answer had
    and recommend.screen_load, to the fewest within that; a lighter member starts at the previous
    answer. Counters are left as they were."""
    from sim.analysis.offered_load import session_minutes_per_day, unit_loads
    from sim.experiments.recommendation import WarmStart, warm_vector

    light, heavy = (load_config("city.units=[ba_dinh]", "centre.enabled=false", *FORMER_DEFAULT, f"scenario.effort_scale={e}")
                    for e in (1.0, 1.5))
    plans = {}
    for name, cfg in (("light", light), ("heavy", heavy)):
        scenario = build_scenario(cfg)
        planner = Planner.of(cfg, scenario, recommend_spec(cfg))
        plans[name] = (planner, scenario.units[0], planner.resources(scenario.units[0]), session_minutes_per_day(scenario))
    x = tuple(2 for _ in plans["light"][2])
    n_desk = sum(r.kind == "counters" for r in plans["light"][2])
    minutes, screen_load = plans["light"][3], plans["light"][0].spec.screen_load

    def work(name, v=x):
        planner, plan, _, m = plans[name]
        return [load.work_minutes_per_day for load in unit_loads(planner.scenario, planner.apply(plan, v), m)]

    up = warm_vector(*plans["heavy"][:3], WarmStart(x, work=tuple(work("light"))), minutes)
    assert up[:n_desk] == x[:n_desk]
    raised = 0
    for d, (before, after) in enumerate(zip(work("light"), work("heavy", up))):
        allowed = max(before / (2 * minutes), screen_load)
        n = up[n_desk + d]
        assert n >= 2 and after / (n * minutes) <= allowed + 1e-9  # within the allowed load
        if n > 2:  # raised: the fewest that are
            raised += 1
            assert after / ((n - 1) * minutes) > allowed
    assert 0 < raised < len(up) - n_desk  # ba_dinh at 2 officers: a busy department raised, a quiet one not
    assert warm_vector(*plans["light"][:3], WarmStart(x, work=tuple(work("heavy"))), minutes) == x
