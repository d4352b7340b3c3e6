"""Experiments start from neutral parameters: nothing calibrated in the default scenario leaks in."""

import dataclasses
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from sim.config.paths import CONFIG_DIR
from sim.config.schema import ScenarioConfig
from tests.conftest import compose_config, scenario_from

SCENARIOS = sorted(p.stem for p in (Path(CONFIG_DIR) / "scenario").glob("*.yaml"))


def leaf_keys(cls, prefix: str = "") -> list[str]:
    """Every leaf key of a schema dataclass, dotted."""
    keys = []
    for f in dataclasses.fields(cls):
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        if dataclasses.is_dataclass(default):
            keys += leaf_keys(type(default), f"{prefix}{f.name}.")
        else:
            keys.append(prefix + f.name)
    return keys


def test_erlang_check_sets_every_scenario_parameter():
    """A scenario parameter added to the schema must be given a neutral value by the experiment."""
    experiment = OmegaConf.load(Path(CONFIG_DIR) / "experiment" / "erlang_check.yaml")
    missing = [key for key in leaf_keys(ScenarioConfig)
               if OmegaConf.select(experiment, f"scenario.{key}", default="<unset>") == "<unset>"]
    assert not missing


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_erlang_check_is_the_same_whatever_the_scenario(scenario):
    assert len(SCENARIOS) >= 2
    neutral = compose_config("+experiment=erlang_check").scenario
    assert compose_config(f"scenario={scenario}", "+experiment=erlang_check").scenario == neutral


def test_erlang_check_with_its_back_office_on_has_the_catalogue_effort():
    """Switched on, with the city's catalogue, the back office works at the catalogue's effort and
    no record waits for missing papers, although the default scenario is calibrated otherwise."""
    calibrated = compose_config().scenario
    assert calibrated.effort_scale != 1 and calibrated.supplement_share > 0  # else this test shows nothing
    scenario = scenario_from("+experiment=erlang_check", "procedures=hanoi_2025", "scenario.back_office=true",
                             "city.units=[ba_dinh]")
    catalogue = OmegaConf.load(Path(CONFIG_DIR) / "procedures" / "hanoi_2025.yaml")
    assert scenario.back_office.enabled and scenario.supplement_share == 0
    for procedure in scenario.procedures:
        entry = next(v for v in catalogue.values() if v.label == procedure.label)
        assert procedure.effort_minutes.mean == entry.effort_minutes.mean
        assert procedure.external_lag_wd.mean == (entry.external_lag_wd.mean if "external_lag_wd" in entry else 0)
