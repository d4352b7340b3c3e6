"""The sensitivity of the desk waits to the desk-side assumptions (sensitivity=front_office): the
file composes, names only real settings with valid ranges around their values, and a tiny run
writes its table and tornado chart."""

import math
from pathlib import Path

import pandas as pd
import pytest
import yaml
from omegaconf import OmegaConf

from sim.config.build import build_scenario
from sim.config.paths import CONFIG_DIR
from sim.config.schema import SimConfig
from sim.experiments.calibration import with_values
from sim.experiments.sensitivity import sensitivity_spec
from sim.outputs.fit_report import plot_tornado
from tests.conftest import compose_config, run_module
from tests.test_defaults import leaves

FILE = Path(CONFIG_DIR) / "sensitivity" / "front_office.yaml"
WAIT_KPIS = ["desk_wait_mean_min", "desk_wait_p90_min", "desk_wait_over_target_pct", "longest_queue_mean"]
SCHEMA = leaves(OmegaConf.to_container(OmegaConf.structured(SimConfig)))


@pytest.fixture(scope="module")
def cfg():
    return compose_config("sensitivity=front_office")


def test_it_composes_with_counter_groups_and_the_land_cap_on_and_the_wait_kpis_out(cfg):
    assert cfg.desks.groups.enabled and cfg.desks.land_intake.enabled
    assert list(cfg.sensitivity.outputs) == WAIT_KPIS
    parameters, outputs, replications = sensitivity_spec(cfg)  # validates keys, ranges and outputs
    assert outputs == WAIT_KPIS and replications == 2
    assert {p.key for p in parameters} >= {"desks.residents_per_desk", "desks.other_duties_share",
                                           "desks.land_intake.per_specialist", "desks.patience_minutes.mean"}


def test_every_setting_it_sets_is_a_schema_key():
    """A misspelt key (desks.grups.enabled) fails here, whatever Hydra does with it."""
    raw = yaml.safe_load(FILE.read_text())
    raw.pop("sensitivity")
    for key in leaves(raw):
        assert key in SCHEMA, key


def test_every_parameter_key_is_a_numeric_setting_of_the_composed_config(cfg):
    for name, p in cfg.sensitivity.parameters.items():
        top = p.key.split(".")[0]
        if top != "procedures":  # the catalogue is a content group: the schema gives it a shape only
            assert p.key in SCHEMA, f"{name}: {p.key}"
        value = OmegaConf.select(cfg, p.key, default=None)
        assert isinstance(value, int | float) and not isinstance(value, bool), f"{name}: {p.key}"


def test_every_range_holds_the_assumed_value_and_both_ends_build_a_valid_scenario(cfg):
    for p in sensitivity_spec(cfg)[0]:
        assert not p.relative, p.name  # the ranges are documented as values, not factors
        value = OmegaConf.select(cfg, p.key)
        assert p.low < p.high and p.low <= value <= p.high, f"{p.name}: {p.low} <= {value} <= {p.high}"
        for end in (p.low, p.high):
            built = with_values(cfg, {p.key: end})
            build_scenario(built)  # a ConfigError names the key of an end out of the setting's range
            assert OmegaConf.select(built, p.key) == pytest.approx(end), f"{p.name} at {end}: rounded away"


def test_the_tornado_puts_the_largest_effect_on_top_and_labels_units():
    rows = [{"parameter": "base", "end": "base", "value": math.nan, "desk_wait_p90_min": 10.0},
            {"parameter": "small", "end": "low", "value": 1, "desk_wait_p90_min": 9.5},
            {"parameter": "small", "end": "high", "value": 2, "desk_wait_p90_min": 10.5},
            {"parameter": "large", "end": "low", "value": 15000, "desk_wait_p90_min": 4.0},
            {"parameter": "large", "end": "high", "value": 35000, "desk_wait_p90_min": 25.0}]
    ax = plot_tornado(rows, ["desk_wait_p90_min"]).axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "large (15,000 / 35,000)" and labels[0] == "small (1 / 2)"  # the top bar is the last
    assert "(min)" in ax.get_xlabel() and "10 min" in ax.get_title()
    assert any(line.get_xdata()[0] == 0 for line in ax.get_lines())  # the zero line


def test_a_tiny_run_writes_the_table_and_the_tornado(tmp_path):
    folder = tmp_path / "run"
    keep = ("other_duties_share", "residents_per_desk")
    dropped = [f"~sensitivity.parameters.{name}" for name in compose_config("sensitivity=front_office")
               .sensitivity.parameters if name not in keep]
    done = run_module("sim.sensitivity", "sensitivity=front_office", "city.units=[ba_dinh]", "centre.enabled=false",
                      "period.end=2025-07-05", "sensitivity.replications=1", "progress=false", *dropped,
                      f"hydra.run.dir={folder}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (folder / "tornado.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_csv(folder / "sensitivity.csv").set_index(["parameter", "end"])
    assert len(table) == 1 + 2 * len(keep) and set(WAIT_KPIS) <= set(table.columns)
    wait = table["desk_wait_mean_min"]
    # a desk that spends 30 % of its time on back work serves citizens more slowly
    assert wait[("other_duties_share", "high")] > wait[("base", "base")]
    assert wait[("residents_per_desk", "high")] > wait[("base", "base")]  # fewer desks
