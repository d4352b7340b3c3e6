"""An ensemble file is checked where it enters: every bad file stops with one error naming it,
before anything runs; a good one gives one configuration per member."""

from __future__ import annotations

import pytest
import yaml
from omegaconf import OmegaConf

from sim.config.ensemble import load_ensemble, member_configs
from sim.errors import ConfigError
from tests.conftest import compose_config, run_module

GOOD = """ensemble:
  name: tiny
  parameters:
    effort_scale: {key: scenario.effort_scale, low: 0.5, high: 3.0, source: assumption}
  members:
    - {effort_scale: 1.0}
    - {effort_scale: 2.0}
"""


def test_a_good_file_gives_one_config_per_member(tmp_path):
    path = tmp_path / "e.yaml"
    path.write_text(GOOD)
    cfg = compose_config("city.units=[ba_dinh]")
    ensemble = load_ensemble(str(path), cfg)
    assert [c.scenario.effort_scale for c in member_configs(cfg, ensemble)] == [1.0, 2.0]


@pytest.mark.parametrize("text, problem", [
    ("", "no 'ensemble' mapping"),
    (GOOD[:60], "not valid YAML"),
    (GOOD.replace("effort_scale: 2.0", "effort_scale: .nan"), "not a finite number"),
    (GOOD.replace("effort_scale: 2.0", "effort_scale: 9.0"), "outside its range"),
    (GOOD.replace("effort_scale: 2.0", "effort_scale: -1"), "outside its range"),
    (GOOD.replace("- {effort_scale: 2.0}", "- {effort_scale: 2.0, typo: 1}"), "unknown parameter 'typo'"),
    (GOOD.replace("key: scenario.effort_scale", "key: scenario.no_such_key"), "not a numeric setting"),
    (GOOD.replace("- {effort_scale: 1.0}\n", "- {}\n"), "gives no value"),
    (GOOD.replace("low: 0.5", "low: 5"), "is not below high"),
])
def test_a_bad_file_is_refused_naming_it(tmp_path, text, problem):
    path = tmp_path / "e.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_ensemble(str(path), compose_config("city.units=[ba_dinh]"))
    assert caught.value.key == "ensemble.path" and problem in str(caught.value) and "e.yaml" in str(caught.value)


def test_a_missing_file_names_the_shipped_ones():
    with pytest.raises(ConfigError, match="no such file"):
        load_ensemble("no_such_ensemble")


def test_the_central_member_is_the_one_nearest_the_median_in_every_parameter():
    from sim.config.ensemble import central_index

    # three members on a line and one far off: the median is the middle one's, whatever the order
    values = [[0.9, 0.1], [0.5, 0.5], [0.4, 0.6], [0.6, 0.4]]
    assert central_index(values, [0, 0], [1, 1]) in (1, 3)
    assert central_index([[1.0], [3.0], [2.0]], [0], [4]) == 2
    # scaled to each parameter's range: a wide parameter does not outweigh a narrow one
    assert central_index([[0, 10], [1, 0], [2, 5]], [0, 0], [2, 1000]) == 1  # unscaled: 2


def test_the_default_scenario_is_the_shipped_ensembles_central_member():
    """The point answer of a run without ensemble.path rests on the evidence the range rests on:
    the calibrated scenario holds the central member's values and the ensemble's settings
    (python -m sim.calibrate calibration.method=central writes them), so the two cannot drift."""
    cfg = compose_config()
    ensemble = load_ensemble("hanoi_2025", cfg)
    for key, value in ensemble.overrides(ensemble.central()).items():
        assert OmegaConf.select(cfg, key) == pytest.approx(value, rel=1e-5), key
    for key, value in ensemble.settings.items():
        assert OmegaConf.select(cfg, key) == value, key


def test_calibrate_central_writes_the_member_into_a_scenario_file(tmp_path):
    scenario = tmp_path / "mine.yaml"
    scenario.write_text("# @package _global_\n# my comment\nscenario:\n  effort_scale: 0.5\nstaff:\n  order: fifo\n")
    done = run_module("sim.calibrate", "calibration.method=central", "ensemble.path=hanoi_2025",
               f"calibration.output={scenario}", f"hydra.run.dir={tmp_path / 'run'}", "progress=false", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = yaml.safe_load(scenario.read_text())
    ensemble = load_ensemble("hanoi_2025")
    central = ensemble.members[ensemble.central()]
    assert written["scenario"]["effort_scale"] == pytest.approx(central["effort_scale"], rel=1e-5)
    assert written["staff"]["order"] == "edf"  # the ensemble's settings come with it
    assert "# my comment" in scenario.read_text() and "central member" in scenario.read_text()
    missing = run_module("sim.calibrate", "calibration.method=central", "ensemble.path=hanoi_2025",
                  f"calibration.output={tmp_path / 'none.yaml'}", f"hydra.run.dir={tmp_path / 'run2'}", cwd=tmp_path)
    assert missing.returncode == 2 and "calibration.output" in missing.stderr and "Traceback" not in missing.stderr
