"""Break-even of a fourth department (sim.experiments.break_even, python -m sim.breakeven): the
verdicts, the bisected break-even against a grid over the parameter, bad settings in one line, and
the command's files. One busy ward (Hà Đông, the largest), a few replications."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from sim.errors import ConfigError
from sim.experiments.break_even import Point, break_even, crossing, evaluate, settings, unit_break_even
from tests.conftest import FORMER_DEFAULT, compose_config, run_module

WARD = "ha_dong"
BUSY = (f"break_even.units=[{WARD}]", "replications=3", "workers=1", *FORMER_DEFAULT)


@pytest.fixture(scope="module")
def busy_setting():
    return settings(compose_config(*BUSY))


def _point(theta: float, mean: float, half: float) -> Point:
    return Point(theta, mean, mean - half, mean + half, mean, mean - half, mean + half, 0.0, 0.0, 0.0)


# --- the verdict and the bisection, without simulating -----------------------------------------
def test_bisection_brackets_the_change_within_the_tolerance():
    found = crossing(lambda t: t > 0.0317, 0.0, 0.1, 0.001)
    assert abs(found - 0.0317) <= 0.001
    assert crossing(lambda t: t < 0.5, 0.0, 1.0, 0.01) == pytest.approx(0.5, abs=0.01)  # falling works alike
    assert crossing(lambda t: t >= 4, 0, 10, 0.1, integer=True) == 3.5  # a whole number: between 3 and 4


@pytest.mark.parametrize("low_end, high_end, verdict", [
    (_point(0.0, 0.5, 0.1), _point(0.1, 0.9, 0.1), "gains_everywhere"),
    (_point(0.0, 0.0, 0.0), _point(0.1, 0.0, 0.0), "no_gain"),  # the parameter moves nothing
    (_point(0.0, -0.2, 0.1), _point(0.1, 0.05, 0.1), "no_gain"),  # a gain never told from 0
])
def test_the_ends_alone_decide_when_they_agree(low_end, high_end, verdict, busy_setting):
    found = unit_break_even(busy_setting, WARD, (low_end, high_end))
    assert found["verdict"] == verdict
    assert found["evaluations"] == 2  # nothing simulated between the ends
    assert math.isnan(found["theta_star"])


# --- simulated ------------------------------------------------------------------------------------
def test_a_parameter_that_moves_nothing_gives_no_gain():
    """A parameter of the City Centre, which a ward's run does not simulate: D is the same at both
    ends, 0 at Hà Đông under the minimal front office (the fourth department changes nothing there
    without a breadth penalty), so no gain is shown anywhere."""
    cfg = compose_config(*BUSY, "break_even.parameter=centre.records_per_day", "break_even.low=100",
                         "break_even.high=1000")
    row = break_even(cfg).table.iloc[0]
    assert row["verdict"] == "no_gain" and row["verdict_words"] == "no gain within the range"
    assert row["change_at_low"] == row["change_at_high"] == 0.0
    assert row["overtime_change_at_low"] == 0.0


def test_a_strong_penalty_over_the_whole_range_gains_for_every_value():
    cfg = compose_config(*BUSY, "break_even.low=0.35", "break_even.high=1.0")
    row = break_even(cfg).table.iloc[0]
    assert row["verdict"] == "gains_everywhere", row.to_dict()
    assert row["change_at_low_ci95_low"] > 0 and row["change_at_high"] > row["change_at_low"]
    assert row["overtime_change_at_high"] < 0  # the narrower departments also need less overtime
    assert row["evaluations"] == 2


def test_overtime_saved_is_the_gain_when_the_kpi_says_so():
    """Under a load like the ensemble's (earliest deadline first, overtime when the day's work
    exceeds the day), a strong penalty: the fourth department's gain shows as overtime saved, the
    gain being the overtime change with its sign turned."""
    loaded = ("staff.order=edf", "scenario.effort_scale=1.11", "staff.other_duties_share=0.18",
              "staff.procedure_share=0.146", "period.end=2025-08-31")
    cfg = compose_config(*BUSY, *loaded, "break_even.kpi=overtime", "break_even.low=0.35", "break_even.high=1.0")
    row = break_even(cfg).table.iloc[0]
    assert row["kpi"] == "overtime" and row["verdict"] == "gains_everywhere", row.to_dict()
    assert row["gain_at_high"] == -row["overtime_change_at_high"]
    assert row["gain_at_high_ci95_low"] == -row["overtime_change_at_high_ci95_high"] > 0


def test_the_break_even_matches_a_grid_over_the_parameter():
    """Bisection against brute force: the grid's crossing of the mean gain (above min_gain) lies
    in the tool's interval for θ*, and θ* lies in the grid's bracket; on the grid, the gain is
    shown above the interval and not shown below it."""
    low, high, step, min_gain = 0.1, 0.4, 0.05, 0.05
    cfg = compose_config(*BUSY, f"break_even.low={low}", f"break_even.high={high}", "break_even.tolerance=0.01",
                         f"break_even.min_gain={min_gain}")
    row = break_even(cfg).table.iloc[0]
    assert row["verdict"] == "gains_above", row.to_dict()
    star, first, last = row["theta_star"], row["theta_star_low"], row["theta_star_high"]
    assert first <= star <= last

    setting = settings(cfg)
    grid = {round(t, 6): evaluate(setting, [WARD], float(t))[WARD] for t in np.arange(low, high + step / 2, step)}
    thetas = sorted(grid)
    over = [grid[t].mean > min_gain for t in thetas]
    k = over.index(True)
    assert all(over[k:]), "the mean gain crosses min_gain once on the grid"
    bracket = (thetas[k - 1], thetas[k])
    assert bracket[0] - 0.01 <= star <= bracket[1] + 0.01
    assert first - step <= (bracket[0] + bracket[1]) / 2 <= last + step
    for t in thetas:
        if t > last:
            assert grid[t].low > min_gain, (t, grid[t])
        if t < first:
            assert not grid[t].low > min_gain, (t, grid[t])


# --- bad settings ---------------------------------------------------------------------------------
@pytest.mark.parametrize("overrides, key", [
    (("break_even.parameter=staff.breath_penalty",), "break_even.parameter: unknown key"),
    (("break_even.parameter=structure.name",), "break_even.parameter: structure.name is not a number"),
    (("break_even.parameter=seed",), "break_even.parameter: seed is a setting of the run"),
    (("break_even.low=nan",), "break_even.low"),
    (("break_even.high=inf",), "break_even.high"),
    (("break_even.low=0.2", "break_even.high=0.1"), "break_even.high"),
    (("break_even.low=-0.1",), "break_even.low: staff.breadth_penalty=-0.1 is refused"),
    (("break_even.tolerance=0",), "break_even.tolerance"),
    (("break_even.min_gain=-1",), "break_even.min_gain"),
    (("break_even.kpi=happiness",), "break_even.kpi: unknown 'happiness'"),
    (("break_even.units=[atlantis]",), "break_even.units[0]"),
    (("break_even.units=[ha_dong,soc_son]",), "break_even.units[1]: 'soc_son' has the same departments"),
    (("break_even.structure=nine_departments",), "break_even.structure"),
    (("break_even.structure=three_departments",), "break_even.structure"),
    (("break_even.policy=lottery",), "break_even.policy"),
    (("replications=1",), "replications"),
])
def test_bad_settings_name_their_key(overrides, key):
    with pytest.raises(ConfigError) as caught:
        settings(compose_config("replications=2", *overrides))
    assert key in str(caught.value)


@pytest.mark.parametrize("args, key", [
    (("break_even.parameter=nope",), "break_even.parameter"),
    (("break_even.low=nan",), "break_even.low"),
    (("break_even.low=1", "break_even.high=0.5"), "break_even.high"),
    (("break_even.units=[ba_dinh,atlantis]",), "break_even.units[1]"),
    (("break_even.structure=atlantis",), "break_even.structure"),
])
def test_the_command_stops_bad_input_with_one_line(args, key, tmp_path):
    done = run_module("sim.breakeven", "city.units=[ba_dinh]", "replications=2", *args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sim: error: ") and key in lines[0], done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "results").exists()


# --- the command ------------------------------------------------------------------------------------
def test_the_command_writes_the_table_the_map_and_the_summary(tmp_path):
    from matplotlib.image import imread

    folder = tmp_path / "run"
    done = run_module("sim.breakeven", f"break_even.units=[{WARD},tuong_mai]", "replications=2",
                      "break_even.low=0.1", "break_even.high=0.4", "break_even.tolerance=0.1",
                      "period.end=2025-07-31", "progress=false", "ensemble.path=hanoi_2025", "ensemble.members=2",
                      f"hydra.run.dir={folder}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(folder / "break_even.csv", encoding="utf-8-sig")
    assert list(table["slug"]) == [WARD, "tuong_mai"]
    for column in ("slug", "name", "kind", "population", "verdict", "theta_star", "theta_star_low", "theta_star_high",
                   "low", "high", "change_at_low", "change_at_low_ci95_low", "change_at_high_ci95_high"):
        assert column in table.columns, column
    image = imread(folder / "break_even_map.png")
    assert image.shape[0] > 400 and image.shape[1] > 400
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["parameter"] == "staff.breadth_penalty" and summary["units"] == 2
    assert sum(summary["verdicts"].values()) == 2 and summary["warnings"] == []
    assert "gains" in done.stdout or "no gain" in done.stdout
    # over the ensemble: every member's break-even per unit, and each unit's verdicts counted over them
    members = pd.read_csv(folder / "break_even_ensemble.csv", encoding="utf-8-sig")
    assert sorted(zip(members["member"], members["slug"])) == [(0, WARD), (0, "tuong_mai"), (1, WARD), (1, "tuong_mai")]
    spread = {u["slug"]: u for u in summary["ensemble"]["units"]}
    assert summary["ensemble"]["members"] == 2 and set(spread) == {WARD, "tuong_mai"}
    for slug, unit in spread.items():
        assert sum(v for k, v in unit.items() if k.startswith("members_") and k != "members") == 2, unit
    # the answer first, in words: what was asked, the verdicts, how far they hold over the ensemble
    page = (folder / "report.html").read_text(encoding="utf-8")
    answer = page[page.index("id='answer'"):page.index("<figure>")]
    assert "Land and Environment" in answer and "the breadth effect" in answer and "four_departments" not in answer
    assert "Over 2 plausible parameter sets (ensemble hanoi_2025)" in answer and "data:image/png;base64," in page
