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
from sim.errors import ConfigError
from sim.experiments.calibration import FreeParameter, with_values
from sim.experiments.sensitivity import sensitivity_spec
from sim.outputs.fit_report import plot_tornado
from tests.conftest import compose_config, run_module
from tests.test_defaults import leaves

FILE = Path(CONFIG_DIR) / "sensitivity" / "front_office.yaml"
WAIT_KPIS = ["desk_wait_mean_min", "desk_wait_p90_min", "desk_wait_over_target_pct", "longest_queue_mean"]
SCHEMA = leaves(OmegaConf.to_container(OmegaConf.structured(SimConfig)))


@pytest.fixture(scope="module")
def cfg():
    return compose_config("front_office=as_it_works", "sensitivity=front_office")  # as a user runs it


def test_it_composes_with_counter_groups_and_the_land_cap_on_and_the_wait_kpis_out(cfg):
    assert cfg.desks.groups.enabled and cfg.desks.land_intake.enabled
    assert list(cfg.sensitivity.outputs) == WAIT_KPIS
    parameters, outputs, replications = sensitivity_spec(cfg)  # validates keys, ranges and outputs
    assert outputs == WAIT_KPIS and replications == 2
    assert {p.key for p in parameters} >= {"desks.residents_per_desk", "desks.other_duties_share",
                                           "desks.land_intake.per_specialist", "desks.patience_minutes.mean",
                                           "desks.visits.supplement.share", "desks.visits.guidance.per_submission",
                                           "procedures.land_transfer.collect_share", "desks.booking.enabled"}


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


def test_the_counter_rule_is_run_at_both_of_its_values(cfg):
    take = [p for p in sensitivity_spec(cfg)[0] if p.key == "desks.groups.take"]
    assert len(take) == 1 and {take[0].low, take[0].high} == {"strict", "when_idle"}


def test_booking_is_run_off_and_on_from_the_first_day_of_the_period(cfg):
    """Booked numbers start on 1 October 2025 by default: a July run would show no effect at all."""
    booking = [p for p in sensitivity_spec(cfg)[0] if p.key == "desks.booking.enabled"]
    assert len(booking) == 1 and (booking[0].low, booking[0].high) == (False, True)
    assert str(cfg.desks.booking.start) == str(cfg.period.start)


def test_a_choice_of_a_value_the_setting_does_not_take_is_refused_naming_its_end():
    bad = compose_config("sensitivity=front_office", "sensitivity.choices.counter_take.low=strikt")
    with pytest.raises(ConfigError) as caught:
        sensitivity_spec(bad)
    assert caught.value.key == "sensitivity.choices.counter_take.low" and "strikt" in caught.value.problem
    numeric = compose_config("sensitivity=front_office", "+sensitivity.choices.x={key: desks.min_desks, low: 1, high: 2}")
    with pytest.raises(ConfigError, match="sensitivity.parameters"):
        sensitivity_spec(numeric)


def test_every_range_holds_the_assumed_value_and_both_ends_build_a_valid_scenario(cfg):
    for p in (p for p in sensitivity_spec(cfg)[0] if isinstance(p, FreeParameter)):
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
    keep = ("other_duties_share",)  # and the counter rule: one number and one two-valued setting
    dropped = [f"~sensitivity.parameters.{name}" for name in compose_config("sensitivity=front_office")
               .sensitivity.parameters if name not in keep] + ["~sensitivity.choices.booking"]
    done = run_module("sim.sensitivity", "sensitivity=front_office", "city.units=[ba_dinh]", "centre.enabled=false",
                      "period.end=2025-07-05", "sensitivity.replications=1", "progress=false", *dropped,
                      f"hydra.run.dir={folder}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (folder / "tornado.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_csv(folder / "sensitivity.csv").set_index(["parameter", "end"])
    assert len(table) == 1 + 2 * 2 and set(WAIT_KPIS) <= set(table.columns)
    assert table.loc[("counter_take", "low"), "value"] == "strict"
    assert table.loc[("counter_take", "high"), "value"] == "when_idle"
    assert table[WAIT_KPIS].notna().all().all()
    wait = table["desk_wait_mean_min"]
    # a desk that spends 30 % of its time on back work serves citizens more slowly
    assert wait[("other_duties_share", "high")] > wait[("base", "base")]
    # the base takes when_idle: its high end is the base run itself, on the same random numbers
    assert table.loc[("counter_take", "high"), WAIT_KPIS].tolist() == table.loc[("base", "base"), WAIT_KPIS].tolist()
