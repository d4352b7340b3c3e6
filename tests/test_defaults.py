"""One source of truth for defaults: the schema (sim/config/schema.py) holds every default with its
source; the shipped YAML files set only what they deliberately change."""

from pathlib import Path

import pytest
import yaml
from omegaconf import OmegaConf

from sim.config.paths import CONFIG_DIR
from sim.config.schema import SimConfig
from tests.conftest import compose_config

CONF = Path(CONFIG_DIR)

# What each shipped scenario deliberately sets away from the schema's default, and why. Anything
# else in the composed configuration must equal the schema's default, so that the schema (and its
# comments) tells what a run gets.
DELIBERATE = {
    "baseline": {
        "scenario.demand.online_share",  # the city report's 59.71 % (the schema keeps the catalogue's split)
        "scenario.supplement_share",  # the calibration's starting value
        "stock.source",  # the handover of 1 July 2025 (the schema's default starts empty)
        "staff.overtime.enabled",  # officials stay late (the schema's default is off)
    },
    "hanoi_2025_calibrated": {
        "scenario.demand.online_share", "stock.source", "staff.overtime.enabled",
        # fitted by python -m sim.calibrate
        "scenario.demand.records_per_1000_residents_per_day", "scenario.effort_scale", "scenario.supplement_share",
        "scenario.centre_supplement_share", "scenario.centre_supplement_wait_wd.mean", "stock.days_of_stock", "stock.centre_days_of_stock",  # (and centre.records_per_day, in a content group)
        "staff.overtime.trigger",  # overtime when the day's work exceeds the day (the ensemble calibration)
        # the shipped ensemble's central member and its queue order (calibration.method=central)
        "staff.order", "staff.other_duties_share", "staff.desk_rota_share", "staff.procedure_share",
        "staff.framework_weight",  # (and centre.design_load, in a content group)
    },
}
IDENTITY = ("scenario.name", "scenario.description")  # every scenario names and describes itself
GENERATED = "Written by `python -m sim.calibrate`"  # in the header of a calibrated scenario file


def leaves(tree: dict, prefix: str = "") -> dict:
    """Dotted key -> value of every leaf (a list is one value; an empty mapping is a leaf)."""
    out = {}
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            out.update(leaves(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


SCHEMA = leaves(OmegaConf.to_container(OmegaConf.structured(SimConfig)))


def content_groups() -> set[str]:
    """Sections a config group fills with its own data (a calendar, a procedure catalogue, a
    structure, calibration targets): the schema only gives them a shape. The scenario group is
    not one: the schema holds the defaults of its parameters."""
    groups = set()
    for entry in yaml.safe_load((CONF / "config.yaml").read_text())["defaults"]:
        if isinstance(entry, dict):
            groups.update(group for group in entry if not group.startswith("override "))
    return groups - {"scenario"}


def differences(overrides: tuple[str, ...]) -> dict:
    """Keys of the composed configuration whose value is not the schema's default."""
    composed = OmegaConf.to_container(compose_config(*overrides), resolve=False)
    composed.pop("hydra", None)
    skipped = content_groups()
    return {key: value for key, value in leaves(composed).items()
            if key.split(".")[0] not in skipped and key not in IDENTITY
            and SCHEMA.get(key, "not in the schema") != value}


def test_content_groups_are_the_expected_ones():
    assert content_groups() == {"calendar", "procedures", "structure", "centre", "front_office", "calibration",
                                "sensitivity", "observations", "patterns", "recommend"}


@pytest.mark.parametrize("path", sorted((CONF / "centre").glob("*.yaml")))
def test_a_centre_file_brings_only_its_branches_and_departments(path):
    """The Centre's parameters (enabled, records_per_day) keep their default and source in the schema;
    its group file holds the data only."""
    assert set(yaml.safe_load(path.read_text())) <= {"departments", "branches"}


def test_every_shipped_scenario_has_its_deliberate_overrides_listed():
    assert {p.stem for p in (CONF / "scenario").glob("*.yaml")} == set(DELIBERATE)


@pytest.mark.parametrize("scenario", sorted(DELIBERATE))
def test_a_composed_scenario_equals_the_schema_but_for_its_deliberate_overrides(scenario):
    """A shipped file that silently disagrees with the schema's default (say a paper wait of 20
    working days in the YAML and 10 in the schema) fails here, naming the key."""
    found = differences((f"scenario={scenario}",))
    unexpected = {k: (v, SCHEMA.get(k)) for k, v in found.items() if k not in DELIBERATE[scenario]}
    assert not unexpected, f"(composed, schema) values that disagree: {unexpected}"
    assert set(found) == DELIBERATE[scenario], "a listed override now equals the schema: drop it from the list"


def test_the_main_job_is_the_calibrated_scenario():
    assert differences(()) == differences(("scenario=hanoi_2025_calibrated",))


SHIPPED = ["config.yaml", *(f"scenario/{p.name}" for p in sorted((CONF / "scenario").glob("*.yaml")))]


@pytest.mark.parametrize("path", SHIPPED)
def test_shipped_files_do_not_repeat_schema_defaults(path):
    """A value written twice drifts apart some day; set a key only where it differs."""
    text = (CONF / path).read_text()
    if GENERATED in "".join(text.splitlines(keepends=True)[:3]):
        pytest.skip("the calibration writes the whole scenario section")
    raw = yaml.safe_load(text)
    if path.startswith("scenario/") and not text.startswith("# @package _global_"):
        raw = {"scenario": raw}
    raw.pop("defaults", None)
    raw.pop("hydra", None)
    repeated = {k: v for k, v in leaves(raw).items() if k in SCHEMA and SCHEMA[k] == v and k not in IDENTITY}
    assert not repeated, f"{path} repeats the schema's defaults: {repeated}"
