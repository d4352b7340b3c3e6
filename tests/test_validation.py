"""Validation: report counts at report dates, figures of observations per scope, observations as
data with one-line errors, and ``python -m sim.validate`` end to end on one unit."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.report_figures import Observation, figure_value, simulated
from sim.analysis.unit_counts import COUNTS, LITTLE_COUNTS, REPORT_COUNTS, UnitResult, little_counts, report_counts
from sim.engines.outcome import UnitOutcome
from sim.engines.workload import IN_PERSON, ONLINE, POST, Workload
from sim.experiments.runner import calendar_for
from sim.experiments.runner import run_scenario
from sim.experiments.validation import (little_warnings, littles_law, offered_loads, second_half_slope,
                                       validation_plan)
from tests.conftest import compose_config, run_module, scenario_from, simulate
from tests.test_package import one_error_line

NAN = math.nan
DAY = 1440.0
ONE_UNIT = ("city.units=[ba_dinh]", "replications=1")
# Open around the clock with flat arrival weights: a run's records do not depend on where its period ends
UNIFORM = ("calendar=always_open", "scenario.demand.weekday_weights=[1,1,1,1,1,1,1]",
           f"scenario.demand.hour_weights=[{','.join(['1'] * 24)}]",
           "staff.overtime.enabled=false")  # an always-open calendar has no end of day to work after


def report_row(rows: np.ndarray, k: int) -> dict[str, float]:
    return dict(zip(REPORT_COUNTS, rows[k]))


# --- report counts of a hand-made outcome -------------------------------------------------------
def tiny_case():
    """Six records over three days, open around the clock; the last is opening stock.

    r0 in person, in 100, done 1500 (due 2000): on time on day 1. r1 online, in 200, never done,
    due 1000: overdue from day 0. r2 in person, in 1600, gave up for good at 1700. r3 post, in 3000,
    done 3500 after its due 3400: late. r5 online, in 300, missing papers (5 working days): the
    outcome's due (extended) is far away, the unextended one the close of day 0."""
    calendar = calendar_for(scenario_from(*UNIFORM).calendar, dt.date(2025, 7, 1), 3)
    arrival = np.array([100, 1600, 200, 3000, 300, 0.0])
    channel = np.array([IN_PERSON, IN_PERSON, ONLINE, POST, ONLINE, ONLINE], dtype=np.int8)
    n = len(arrival)
    zeros = np.zeros(n)
    workload = Workload(
        arrival=arrival, channel=channel, procedure=np.zeros(n, dtype=np.int64), department=np.zeros(n, dtype=np.int64),
        pool=np.zeros(n, dtype=np.int64), deadline_wd=np.zeros(n, dtype=np.int64), desk_minutes=zeros,
        patience_minutes=zeros, returns=np.zeros(n, dtype=bool), return_position=zeros, effort_minutes=zeros,
        lag_minutes=zeros, paused_wd=np.array([0, 0, 0, 0, 5, 0.0]), approval_minutes=zeros, n_in_person=2,
        opening=np.array([False] * 5 + [True]))
    outcome = UnitOutcome(
        stage=np.zeros(n, dtype=np.int8), receipt=np.array([110, NAN, 200, 3000, 300, 0]),
        due=np.array([2000, NAN, 1000, 3400, 8 * DAY, 400]), done=np.array([1500, NAN, NAN, 3500, NAN, 500]),
        desk_start=zeros, desk_end=zeros, desk_wait=zeros, abandoned_at=np.array([NAN, 1700, NAN, NAN, NAN, NAN]),
        visit_enter=zeros[:0], visit_exit=zeros[:0], staff_busy=zeros[:1], approver_busy=zeros[:1],
        staff_overtime=zeros[:1])
    return calendar, workload, outcome


def test_report_counts_are_the_hand_counted_ones_at_each_date():
    calendar, workload, outcome = tiny_case()
    assert calendar.due_times(np.array([300.0]), np.array([0]))[0] == DAY  # r5's due without its extension
    rows = report_counts(calendar, workload, outcome, (0, 1, 2))
    day0, day1, day2 = (report_row(rows, k) for k in range(3))
    assert day0 == dict(received=3, processed=0, processed_on_time=0, in_process=3, in_process_overdue=1,
                        in_process_overdue_max=1, abandoned=0, received_in_person=1, received_online=2, received_post=0,
                        presence_minutes=1340 + 1240 + 1140, departed_sojourn_minutes=0)
    assert day1 == dict(received=4, processed=1, processed_on_time=1, in_process=2, in_process_overdue=1,
                        in_process_overdue_max=2, abandoned=1, received_in_person=2, received_online=2, received_post=0,
                        presence_minutes=1400 + 2680 + 2580 + 100, departed_sojourn_minutes=1400 + 100)
    assert day2 == dict(received=5, processed=2, processed_on_time=1, in_process=2, in_process_overdue=1,
                        in_process_overdue_max=2, abandoned=1, received_in_person=2, received_online=2, received_post=1,
                        presence_minutes=1400 + 4120 + 4020 + 100 + 500, departed_sojourn_minutes=2000)


def test_figures_of_the_hand_counted_outcome():
    calendar, workload, outcome = tiny_case()
    last = report_counts(calendar, workload, outcome, (2,))[0]
    expected = {"received": 5, "processed": 2, "processed_on_time": 1, "processed_late": 1, "on_time_pct": 50,
                "on_time_of_resolved_pct": 50, "resolved_pct": 40, "in_process": 2, "in_process_pct": 40,
                "in_process_overdue": 1, "in_process_overdue_max": 2, "overdue": 2, "abandoned": 1, "in_person_pct": 40, "online_pct": 40,
                "post_pct": 20}
    assert {name: figure_value(name, last) for name in expected} == pytest.approx(expected)
    first = report_counts(calendar, workload, outcome, (0,))[0]
    assert math.isnan(figure_value("on_time_pct", first))  # nothing resolved yet: no share


# --- Little's law over a window --------------------------------------------------------------------
def test_little_counts_of_the_hand_made_outcome():
    """Horizon 3 days (4320). Day 0, [0, 1440): the record in at 100 and done at 1500 (cut at
    1440), those in at 200 and 300 never leave (censored, counted to 4320), the stock record
    (0 to 500) is present but did not arrive in the window. [1000, 3200): the 100-1500 record from
    1000, and the records in at 1600 (gone at 1700) and 3000 (done at 3500) arriving in it; the
    stock record left before it."""
    _, workload, outcome = tiny_case()
    day0 = dict(zip(LITTLE_COUNTS, little_counts(workload, outcome, (0.0, DAY), 3 * DAY)))
    assert day0 == dict(window_minutes=1440, presence_minutes=1340 + 1240 + 1140 + 500, arrived=3,
                        sojourn_minutes=1400 + (4320 - 200) + (4320 - 300), censored=2,
                        in_system_start=1, in_system_end=3)  # the stock record; then those in at 100, 200, 300
    middle = dict(zip(LITTLE_COUNTS, little_counts(workload, outcome, (1000.0, 3200.0), 3 * DAY)))
    assert middle == dict(window_minutes=2200, presence_minutes=500 + 100 + 2200 + 200 + 2200, arrived=2,
                          sojourn_minutes=100 + 500, censored=0, in_system_start=3, in_system_end=3)


def test_littles_law_table_of_the_hand_made_counts():
    _, workload, outcome = tiny_case()
    scenario = dataclasses.replace(scenario_from(*ONE_UNIT, *UNIFORM),
                                   little_window=(dt.date(2025, 7, 1), dt.date(2025, 7, 1)))
    assert scenario.little_window_minutes == (0.0, DAY)
    counts = little_counts(workload, outcome, scenario.little_window_minutes, 3 * DAY)
    result = UnitResult(0, 0, np.zeros(0), np.zeros(0), np.zeros((0, 0)), np.zeros((0, 0)), little=counts)
    loads = {"slug": ["ba_dinh"], "offered_load": [0.5], "ci95_high": [None]}
    table = littles_law(scenario, [[result]], pd.DataFrame(loads), 1.0, 0.05)
    (row,) = table.to_dict(orient="records")
    assert row["mean_in_system"] == pytest.approx(4220 / 1440)  # L
    assert row["arrivals_per_day"] == pytest.approx(3)  # lambda
    assert row["mean_time_in_system_days"] == pytest.approx(9540 / 3 / 1440)  # W
    assert row["ratio"] == pytest.approx(4220 / 9540)  # L / (lambda W)
    assert row["censored_share"] == pytest.approx(2 / 3) and row["stable"]
    assert (row["in_system_start"], row["in_system_end"]) == (1, 3)
    outside, censored = little_warnings(table, validation_plan(compose_config(*ONE_UNIT)))
    assert outside.startswith("ba_dinh: Little's law L / (lambda W) = 0.442 over 2025-07-01 to 2025-07-01, outside ±5%")
    assert censored.startswith("1 of 1 units have more than 1% of the records arriving") and "66.7%" in censored
    assert row["within_tolerance"] is False and row["ci95_low"] is None  # one replication: no interval


def test_littles_law_holds_on_a_stable_always_open_unit():
    """Always open with flat weights: the default unit's arrivals are stationary Poisson and its
    departments far from load 1. Over four months away from both ends of a six-month run the
    ratio is within 5 % of 1 in each replication."""
    scenario = dataclasses.replace(scenario_from(*ONE_UNIT, *UNIFORM, "replications=2", "period.end=2025-12-31"),
                                   little_window=(dt.date(2025, 8, 1), dt.date(2025, 11, 30)))
    results = run_scenario(scenario, workers=1, progress=False)
    loads = offered_loads(scenario, results)
    (row,) = littles_law(scenario, results, loads, 1.0, 0.05).to_dict(orient="records")
    assert row["stable"] and row["within_tolerance"] is True
    assert row["ratio"] == pytest.approx(1, abs=0.05)
    ratio = LITTLE_COUNTS.index("presence_minutes"), LITTLE_COUNTS.index("sojourn_minutes")
    for rep in results:
        assert rep[0].little[ratio[0]] / rep[0].little[ratio[1]] == pytest.approx(1, abs=0.05)
    assert row["censored_share"] < 0.05 and row["mean_time_in_system_days"] > 1  # not a desk-only check


def test_an_overloaded_unit_is_not_checked_and_its_ratio_is_off():
    """One officer per department at twice the catalogue's effort: loads far above 1, the backlog
    grows and W of the window's arrivals is mostly censored at the horizon."""
    scenario = dataclasses.replace(scenario_from(*ONE_UNIT, "staff.rule=fixed", "staff.fixed=1", "period.end=2025-12-31",
                                                 "scenario.effort_scale=2"),
                                   little_window=(dt.date(2025, 9, 1), dt.date(2025, 10, 31)))
    results = run_scenario(scenario, workers=1, progress=False)
    (row,) = littles_law(scenario, results, offered_loads(scenario, results), 1.0, 0.05).to_dict(orient="records")
    assert row["max_load"] > 1 and not row["stable"] and row["within_tolerance"] is None
    assert abs(row["ratio"] - 1) > 0.05 and row["censored_share"] > 0.5


def test_the_window_is_set_on_the_horizon_run_only():
    plan = validation_plan(compose_config(*ONE_UNIT))
    assert plan.scenario.little_window is None and plan.horizon_scenario.end == dt.date(2026, 4, 30)
    assert plan.horizon_scenario.little_window == (dt.date(2025, 9, 15), dt.date(2026, 3, 29))
    assert validation_plan(compose_config(*ONE_UNIT, "validate.horizon_end=")).horizon_scenario is None


# --- report counts of simulated runs --------------------------------------------------------------
def horizon_counts(result) -> dict[str, float]:
    return {name: result.counts[COUNTS.index(name)] for name in REPORT_COUNTS if name in COUNTS}


def test_the_last_report_date_is_the_horizon_and_every_date_conserves_records():
    # one desk and impatient citizens: some give up, so every class of record occurs
    scenario, results = simulate(*ONE_UNIT, "period.end=2025-07-20", "replications=2", "desks.rule=fixed",
                                 "desks.fixed=1", "desks.patience_minutes.mean=40",
                                 "report.checkpoints=[2025-07-03,2025-07-10]")
    assert scenario.report_dates == (dt.date(2025, 7, 3), dt.date(2025, 7, 10), dt.date(2025, 7, 20))
    for rep in results:
        (r,) = rep
        last = report_row(r.report, -1)
        assert {k: last[k] for k in horizon_counts(r)} == horizon_counts(r)
        rows = [report_row(r.report, k) for k in range(3)]
        for row in rows:
            assert row["processed"] + row["in_process"] + row["abandoned"] == row["received"]
            assert row["in_process_overdue"] <= row["in_process_overdue_max"] <= row["in_process"]
            assert row["received_in_person"] + row["received_online"] + row["received_post"] == row["received"]
        for name in ("received", "processed", "processed_on_time", "presence_minutes", "departed_sojourn_minutes"):
            assert rows[0][name] < rows[1][name] < rows[2][name], name
        assert 0 < rows[0]["abandoned"] <= rows[1]["abandoned"] <= rows[2]["abandoned"]


def test_a_report_date_of_a_long_run_is_a_run_ending_that_day():
    """Records arriving after T change nothing before it, and a run ending at T draws the same
    records up to T: the long run's counts at T (30 August, the 1-2 September holiday after it) are
    exactly those of a run ending at T, overdue records in process included (the due date as it
    stood at T), with missing papers moving due dates."""
    common = (*ONE_UNIT, "scenario.supplement_share=0.7", "staff.rule=fixed", "staff.fixed=1",
              "staff.overtime.enabled=false")  # some records late
    _, (long_run,) = simulate(*common, "period.end=2025-09-23", "report.checkpoints=[2025-08-30]")
    _, (short_run,) = simulate(*common, "period.end=2025-08-30")
    at_t, short = report_row(long_run[0].report, 0), horizon_counts(short_run[0])
    assert {k: at_t[k] for k in short} == short
    assert at_t["in_process_overdue"] < at_t["in_process_overdue_max"]  # extensions do matter here
    assert short["in_process"] > 0 and short["processed"] > 0 and short["in_process_overdue"] > 0


def test_checkpoints_outside_the_period_are_refused():
    from sim.errors import ConfigError

    with pytest.raises(ConfigError, match=r"report\.checkpoints\[0\]: 2025-09-01 is outside the period"):
        scenario_from(*ONE_UNIT, "report.checkpoints=[2025-09-01]")


# --- scopes ----------------------------------------------------------------------------------------
def test_an_observation_pools_the_nodes_of_its_scope():
    scenario, results = simulate("city.units=[ba_dinh,soc_son]", "replications=2", "period.end=2025-07-10")
    # the second node as a branch of the City Centre
    plans = list(scenario.units)
    plans[1] = dataclasses.replace(plans[1], unit=dataclasses.replace(plans[1].unit, kind="centre"))
    with_centre = dataclasses.replace(scenario, units=tuple(plans))

    def obs(scope: str) -> Observation:
        return Observation("x", "received", scope, scenario.start, scenario.end, 1.0, 0.1, True)

    own = [[rep[p].report[-1][REPORT_COUNTS.index("received")] for p in range(2)] for rep in results]
    assert simulated(obs("units"), results, with_centre) == [r[0] for r in own]
    assert simulated(obs("centre"), results, with_centre) == [r[1] for r in own]
    assert simulated(obs("all"), results, with_centre) == [r[0] + r[1] for r in own]
    assert simulated(obs("centre"), results, scenario) == []  # no Centre node: no simulated value
    shares = simulated(dataclasses.replace(obs("all"), figure="online_pct"), results, with_centre)
    online = [sum(rep[p].report[-1][REPORT_COUNTS.index("received_online")] for p in range(2)) for rep in results]
    assert shares == pytest.approx([100 * o / (r[0] + r[1]) for o, r in zip(online, own)])


def test_second_half_slope_reads_the_trend_of_the_second_half_only():
    series = np.r_[np.full(10, 50.0), 50 + 3.0 * np.arange(10)]
    assert second_half_slope(series) == pytest.approx(3.0)
    assert second_half_slope(np.r_[np.arange(10.0) * 9, np.full(10, 7.0)]) == pytest.approx(0.0)


# --- the command ---------------------------------------------------------------------------------
@pytest.mark.parametrize("override, key", [
    ("observations.october_post.figure=recieved", "observations.october_post.figure: unknown figure 'recieved'"),
    ("observations.october_post.scope=city", "observations.october_post.scope: unknown scope 'city'"),
    ("observations.october_post.period.end=2030-01-01", "observations.october_post.period.end: 2030-01-01 is outside"),
    ("observations.october_post.period.start=2025-07-02", "observations.october_post.period.start: 2025-07-02"),
    ("observations.october_post.tolerance=0", "observations.october_post.tolerance: must be above 0"),
    ("+observations.october_post.tolerence=1", "observations.october_post.tolerence: unknown key"),
    ("validate.horizon_end=2025-09-01", "validate.horizon_end: 2025-09-01 is not after"),
    ("validate.little_window=[2025-09-01,2026-05-31]", "validate.little_window: 2025-09-01 to 2026-05-31 is not inside"),
    ("validate.little_window=[2025-10-01,2025-09-01]", "validate.little_window[1]: 2025-09-01 is before"),
    ("validate.little_window=[2025-09-01]", "validate.little_window: ['2025-09-01']: give two dates"),
])
def test_a_bad_observation_stops_with_one_line_naming_its_key(tmp_path, override, key):
    done = run_module("sim.validate", *ONE_UNIT, "progress=false", override, cwd=tmp_path)
    assert one_error_line(done).startswith(f"sim: error: {key}"), done.stderr
    assert not list(tmp_path.rglob("validation.*"))  # nothing that looks like a report


def test_validate_on_one_unit_writes_every_observation_and_the_checks(tmp_path):
    done = run_module("sim.validate", "city.units=[ba_dinh]", "replications=2", "workers=1", "progress=false",
                      "validate.horizon_end=2025-10-31", "validate.little_window=[2025-09-15,2025-10-12]",
                      "+observations.mine={figure: received, scope: units, period: {start: '2025-07-01', "
                      "end: '2025-07-15'}, observed: 1000, tolerance: 1, relative: true, source: a test}",
                      cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (folder,) = (tmp_path / "results").iterdir()
    rows = list(csv.DictReader((folder / "validation.csv").open(encoding="utf-8-sig")))
    names = [r["observation"] for r in rows]
    assert names == ["seed004_received", "seed004_processed", "seed004_on_time", "seed004_in_process",
                     "october_received", "october_resolved", "october_on_time_of_resolved", "october_overdue",
                     "october_in_process", "october_in_person", "october_online", "october_post", "mine"]
    by_name = {r["observation"]: r for r in rows}
    assert float(by_name["october_received"]["observed"]) == 531269
    assert by_name["mine"]["end"] == "2025-07-15" and by_name["mine"]["source"] == "a test"
    for r in rows:  # a simulated mean inside its interval, and a verdict that follows from the tolerance
        low, mean, high = (float(r[k]) for k in ("ci95_low", "simulated", "ci95_high"))
        assert low <= mean <= high
        within = abs(mean - float(r["observed"])) <= float(r["tolerance"])
        assert r["within_tolerance"] == str(within)
    # one unit is far below the city's totals; its received records by 15 July are within ±100 % of 1,000
    assert by_name["seed004_received"]["within_tolerance"] == "False"
    assert by_name["mine"]["within_tolerance"] == "True"
    loads = list(csv.DictReader((folder / "offered_load.csv").open(encoding="utf-8-sig")))
    assert [r["department"] for r in loads] == ["office", "economic", "culture_society"]
    assert all(0 < float(r["offered_load"]) < 5 for r in loads)
    (little,) = csv.DictReader((folder / "littles_law.csv").open(encoding="utf-8-sig"))
    assert (little["window_start"], little["window_end"]) == ("2025-09-15", "2025-10-12")
    lam, w, ell = (float(little[k]) for k in ("arrivals_per_day", "mean_time_in_system_days", "mean_in_system"))
    assert float(little["ratio"]) == pytest.approx(ell / (lam * w), rel=0.1)  # mean of ratios, ratio of means
    assert float(little["ci95_low"]) <= float(little["ratio"]) <= float(little["ci95_high"])
    assert 0 <= float(little["censored_share"]) < 1 and little["stable"] in ("True", "False")
    assert "Little's law over 2025-09-15 to 2025-10-12" in done.stdout
    (growth,) = csv.DictReader((folder / "horizon_growth.csv").open(encoding="utf-8-sig"))
    assert growth["slug"] == "ba_dinh"
    page = (folder / "validation.html").read_text()
    for name in names:
        assert f">{name}<" in page
    assert "Little's law: 2025-09-15 to 2025-10-12" in page and "L / (λ W)" in page and "Offered load" in page and "Horizon stability" in page
    assert "seed004_received" in done.stdout and "validation.html" in done.stdout
