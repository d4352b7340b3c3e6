"""An ensemble file is checked where it enters: every bad file stops with one error naming it,
before anything runs; a good one gives one configuration per member."""

from __future__ import annotations

import pytest

from sim.config.ensemble import load_ensemble, member_configs
from sim.errors import ConfigError
from tests.conftest import compose_config

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
