"""The desk queue as a planner reads it: the longest queue of the day, visits per desk and day, and
the number waiting by hour of the day, exact from the engines' queue stays."""

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from sim.analysis.desk_queue import daily_peaks, hourly_mean_queue, open_days, queue_levels
from sim.analysis.kpis import KPIS, longest_queue_by_day, pooled_kpis, unit_kpis
from sim.analysis.summary import summarise
from sim.analysis.unit_counts import COUNTS, DAILY, UnitResult
from sim.errors import ConfigError
from sim.experiments.runner import simulate_records
from sim.model.calendar import MINUTES_PER_DAY, WorkCalendar
from tests.conftest import scenario_from, simulate

DAY = MINUTES_PER_DAY
# (enter, exit) in minutes from the period's start, three days
STAYS = [
    (480, 540),  # A: 08:00-09:00 on day 0
    (500, 560),  # B: 08:20-09:20
    (540, 600),  # C: joins at 09:00 as A is called, so A and C never wait together
    (620, 620),  # D: served at once, never waits
    (DAY + 480, DAY + 540),  # E: day 1, 08:00-09:00
    (2 * DAY - 30, 2 * DAY + 30),  # F: 23:30 on day 1 to 00:30 on day 2, still in line at midnight
]
ENTER = np.array([s for s, _ in STAYS], dtype=float)
EXIT = np.array([e for _, e in STAYS], dtype=float)


def test_queue_length_counts_those_leaving_before_those_joining_at_the_same_instant():
    times, level = queue_levels(ENTER, EXIT)
    assert list(times[:5]) == [480, 500, 540, 560, 600]
    assert list(level[:5]) == [1, 2, 2, 1, 0]  # at 09:00 A leaves and C joins: still two, never three
    assert level[list(times).index(620)] == 0  # D's stay of zero length does not count
    # the longest queue of each day: two on day 0; on day 2, F still in line from the day before
    assert list(daily_peaks(ENTER, EXIT, 3)) == [2, 1, 1]
    assert list(daily_peaks(ENTER[[5]], EXIT[[5]], 3)) == [0, 1, 1]  # F alone: day 2 from midnight


def test_queue_by_hour_is_the_time_average_within_each_clock_hour():
    by_hour = hourly_mean_queue(ENTER, EXIT, 3)
    assert by_hour.shape == (3, 24)
    expected = np.zeros((3, 24))
    expected[0, 8] = (60 + 40) / 60  # A all hour, B from 08:20
    expected[0, 9] = (20 + 60) / 60  # B until 09:20, C all hour
    expected[1, 8] = 1.0  # E
    expected[1, 23] = expected[2, 0] = 0.5  # F: half an hour either side of midnight
    np.testing.assert_allclose(by_hour, expected, atol=1e-12)


def test_step_function_agrees_with_counting_stays_on_a_simulated_unit():
    scenario = scenario_from("city.units=[ba_dinh]", "replications=1", "period.end=2025-07-08",
                             "desks.rule=fixed", "desks.fixed=1")
    calendar, _, outcome = simulate_records(scenario, 0, 0)
    enter, leave = outcome.visit_enter, outcome.visit_exit
    assert len(enter) > 100
    instants = np.unique(np.r_[enter, leave, np.arange(scenario.days) * DAY])
    waiting = ((enter[None, :] <= instants[:, None]) & (leave[None, :] > instants[:, None])).sum(axis=1)
    brute = np.zeros(scenario.days)
    inside = instants < calendar.horizon
    np.maximum.at(brute, (instants[inside] // DAY).astype(int), waiting[inside])
    assert list(daily_peaks(enter, leave, scenario.days)) == list(brute)
    assert brute.max() >= 3  # one desk: a real queue
    by_hour = hourly_mean_queue(enter, leave, scenario.days)
    assert by_hour.sum() * 60 == pytest.approx(np.sum(leave - enter), rel=1e-9)


def test_open_days_are_the_days_with_a_desk_session():
    scenario = scenario_from("city.units=[ba_dinh]")
    monday = dt.date(2025, 7, 7)
    week = open_days(WorkCalendar(scenario.calendar, monday, 7))
    assert list(week) == [True] * 6 + [False]  # Saturday morning open, Sunday closed
    always = scenario_from("city.units=[ba_dinh]", "calendar.always_open=true", "staff.overtime.enabled=false").calendar
    assert open_days(WorkCalendar(always, monday, 7)).all()


def _unit(peaks, is_open, served=0.0, desk_days=0.0) -> UnitResult:
    daily = np.zeros((len(peaks), len(DAILY)))
    daily[:, DAILY.index("desk_queue_peak")] = peaks
    counts = np.array([{"served_at_desk": served, "desk_days": desk_days}.get(name, 0.0) for name in COUNTS])
    return UnitResult(0, 0, counts, np.zeros(int(served), dtype=np.float32), np.zeros((1, 14)), daily,
                      open_days=np.array(is_open, dtype=bool))


def test_longest_queue_of_several_units_is_that_of_the_longest_line_each_open_day():
    # day 2 is closed at both (a Sunday), day 3 open only at b
    a = _unit([4, 1, 0, 0], [True, True, False, False], served=30, desk_days=4)
    b = _unit([2, 6, 0, 3], [True, True, False, True], served=45, desk_days=9)
    assert list(longest_queue_by_day([a, b])) == [4, 6, 3]
    both = pooled_kpis([a, b])
    assert both["longest_queue_mean"] == pytest.approx(13 / 3) and both["longest_queue_max"] == 6
    assert both["visits_per_desk_per_day"] == pytest.approx(75 / 13)
    alone = unit_kpis(a)
    assert alone["longest_queue_mean"] == pytest.approx(2.5) and alone["longest_queue_max"] == 4
    assert alone["visits_per_desk_per_day"] == pytest.approx(7.5)


@pytest.fixture(scope="module")
def one_desk():
    return simulate("city.units=[ba_dinh,hoan_kiem]", "replications=2", "period.end=2025-07-10",
                    "desks.rule=fixed", "desks.fixed=1")


def test_visits_per_desk_and_day_count_desk_services_over_open_days(one_desk):
    scenario, results = one_desk
    for rep in results:
        for r in rep:
            c = dict(zip(COUNTS, r.counts))
            assert r.open_days.sum() == 9  # 1-10 July 2025: eight weekdays and one Saturday
            assert c["desk_days"] == scenario.units[r.position].desks * 9
            k = unit_kpis(r)
            assert k["visits_per_desk_per_day"] == pytest.approx(c["served_at_desk"] / c["desk_days"])
            assert 0 < k["longest_queue_mean"] <= k["longest_queue_max"]
            assert k["longest_queue_max"] == r.daily[:, DAILY.index("desk_queue_peak")].max()


def test_queue_by_hour_adds_the_units_up_and_takes_quantiles_over_open_days(one_desk):
    scenario, results = one_desk
    run = summarise(scenario, results)
    table = run.queue_by_hour
    assert list(table["hour"]) == list(range(24))
    assert run.queue_days == {"city": 2 * 9, "unit": 2 * 9}
    assert (table.drop(columns="hour").to_numpy() >= 0).all()
    assert (table["city_p90"] >= table["city_median"]).all() and (table["unit_p90"] >= table["unit_median"]).all()
    city = np.concatenate([np.sum([r.queue_by_hour for r in rep], axis=0)[rep[0].open_days] for rep in results])
    assert table["city_p90"].to_numpy() == pytest.approx(np.quantile(city, 0.9, axis=0, method="inverted_cdf"))
    assert table.loc[10, "city_median"] > 0  # mid-morning with one desk each, somebody waits
    assert table.loc[3, "city_p90"] == 0  # 03:00: nobody
    # the default unit shown: the one with the longest mean desk wait
    assert run.queue_unit == run.units.loc[run.units["desk_wait_mean_min"].idxmax(), "slug"]
    assert run.queue_unit_chosen_by.startswith("longest mean desk wait")
    assert run.opening_hours == (8, 17)


def test_queue_figures_are_the_same_with_two_workers(one_desk):
    scenario, results = one_desk
    _, again = simulate("city.units=[ba_dinh,hoan_kiem]", "replications=2", "period.end=2025-07-10",
                        "desks.rule=fixed", "desks.fixed=1", workers=2)
    first, second = summarise(scenario, results), summarise(scenario, again)
    pd.testing.assert_frame_equal(first.queue_by_hour, second.queue_by_hour)
    for name in ("longest_queue_mean", "longest_queue_max", "visits_per_desk_per_day"):
        assert first.summary["kpis"][name] == second.summary["kpis"][name]


def test_report_queue_unit_chooses_the_unit_or_names_the_key():
    scenario = scenario_from("city.units=[ba_dinh,hoan_kiem]", "report.queue_unit=ba_dinh")
    assert scenario.queue_unit == "ba_dinh"
    with pytest.raises(ConfigError) as error:
        scenario_from("city.units=[ba_dinh,hoan_kiem]", "report.queue_unit=nowhere")
    assert error.value.key == "report.queue_unit"


def test_a_unit_not_in_the_run_is_refused_before_simulating(cli, tmp_path):
    done = cli("city.units=[ba_dinh]", "report.queue_unit=hoan_kiem", f"hydra.run.dir={tmp_path / 'run'}")
    assert done.returncode == 2 and done.stderr.startswith("sim: error: report.queue_unit: 'hoan_kiem'")
    assert "Traceback" not in done.stderr and not (tmp_path / "run" / "summary.json").exists()


def test_main_run_writes_the_queue_kpis_and_figure(cli, tmp_path):
    folder = tmp_path / "run"
    done = cli("city.units=[ba_dinh]", "replications=2", "period.end=2025-07-08", "desks.rule=fixed",
               "desks.fixed=1", "report.queue_unit=ba_dinh", "progress=false", f"hydra.run.dir={folder}")
    assert done.returncode == 0, done.stderr
    figure = folder / "queue_by_hour.png"
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and figure.stat().st_size > 10_000
    summary = json.loads((folder / "summary.json").read_text())
    units = pd.read_csv(folder / "units.csv")
    assert units.loc[0, "desks"] == 1
    for name in ("longest_queue_mean", "longest_queue_max", "visits_per_desk_per_day"):
        kpi = KPIS[name]
        for where in (summary["kpis"], summary["scopes"]["units"]):
            assert kpi.low < where[name]["mean"] < kpi.high, name
            assert where[name]["ci95_low"] <= where[name]["mean"] <= where[name]["ci95_high"], name
        assert units.loc[0, name] == pytest.approx(summary["kpis"][name]["mean"])  # one unit: the city
    assert summary["kpis"]["longest_queue_mean"]["mean"] <= summary["kpis"]["longest_queue_max"]["mean"]
    assert "longest_queue_mean" in done.stdout
