"""Helpers that drive the simulator the way users do: Hydra composition of sim/conf/ and the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from sim.config.paths import CONFIG_DIR
from sim.config.build import build_scenario
from sim.experiments.runner import run_scenario
from sim.config.schema import register

ROOT = Path(__file__).resolve().parents[1]
register()


# Tests build on the minimal front office (one first-come line per unit, submissions only), so
# that what they work out by hand does not hang on the front-office defaults; a test of the
# default front office, or of one of its mechanisms, says so (front_office=as_it_works, or the
# mechanism's own keys). The commands a user runs (the cli fixture) take the real default.
MINIMAL_FRONT_OFFICE = "front_office=submissions_only"


def compose_config(*overrides: str):
    chosen = any(o.startswith(("front_office=", "+experiment=")) for o in overrides)
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        return compose("config", overrides=list(overrides) if chosen else [MINIMAL_FRONT_OFFICE, *overrides])


def scenario_from(*overrides: str):
    return build_scenario(compose_config(*overrides))


def simulate(*overrides: str, workers: int = 1):
    scenario = scenario_from(*overrides)
    return scenario, run_scenario(scenario, workers=workers, progress=False)


def run_module(module: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run a command as a user would: ``python -m MODULE ARGS`` in ``cwd``."""
    return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, capture_output=True, text=True, timeout=900)


@pytest.fixture
def cli(tmp_path):
    def call(*args: str) -> subprocess.CompletedProcess:
        return run_module("sim", *args, cwd=tmp_path)

    return call
