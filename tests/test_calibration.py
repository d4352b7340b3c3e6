"""Calibration and sensitivity on a reduced setting (two wards, seed 004's window): the fit recovers
known parameter values, follows its targets in the right direction, and refuses bad input clearly."""

import json

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim.errors import ConfigError
from sim.experiments.calibration import (CalibrationSpec, FreeParameter, calibrate, calibration_spec, identifiability,
                                        observed_by_replication, with_values)
from sim.experiments.validation import observations_from
from tests.conftest import compose_config, run_module

FITTED_TARGETS = ("seed004_received", "seed004_processed", "seed004_on_time", "seed004_in_process")
# Three of the shipped free parameters, without their priors (recovery tests the fit, not a prior),
# fitted to seed 004's four totals of the two wards (no Centre: scope all is the units). Staff of
# the capped framework: thin enough that effort moves the on-time share and the backlog (with staff
# allocated by workload these two wards have slack, and effort is barely identified).
REDUCED = ("scenario=baseline", "city.units=[bach_mai,ba_dinh]", "staff.rule=framework",
           "staff.department_split=weights", "calibration.replications=2",
           "calibration.max_evaluations=40", "progress=false",
           f"calibration.targets=[{','.join(FITTED_TARGETS)}]", "calibration.checks=[october_online]",
           *(f"~calibration.parameters.{p}" for p in ("centre_demand", "centre_supplement_share", "centre_supplement_wait",
                                                      "stock_days", "centre_stock_days")),
           *(f"calibration.parameters.{p}.{field}=null" for p in ("demand_rate", "effort_scale", "supplement_share")
             for field in ("prior_mean", "prior_sd")),
           "calibration.parameters.demand_rate.low=0.5")
TRUTH = {"scenario.demand.records_per_1000_residents_per_day": 1.2, "scenario.effort_scale": 0.9,
         "scenario.supplement_share": 0.5}


def synthetic_observations(truth: dict) -> dict:
    """Seed 004's figures as the model produces them with known parameters, on the replications
    the fit uses. Same replications means the truth is exactly reachable: recovery then tests the
    fit itself, not the noise of two small wards."""
    cfg = with_values(compose_config(*REDUCED), truth)
    wanted = tuple(o for o in observations_from(cfg) if o.name in FITTED_TARGETS)
    values = observed_by_replication(cfg, wanted, 2, workers=2)
    return {name: float(np.mean(v)) for name, v in values.items()}


def fit(observed: dict):
    overrides = [f"observations.{name}.observed={value}" for name, value in observed.items()]
    cfg = compose_config(*REDUCED, *overrides)
    return calibrate(cfg, calibration_spec(cfg), workers=2)


@pytest.fixture(scope="module")
def observed():
    return synthetic_observations(TRUTH)


@pytest.fixture(scope="module")
def recovered(observed):
    return fit(observed)


def test_parameter_recovery(recovered):
    fitted = recovered.fitted
    # the fit starts from the baseline scenario, away from the truth
    assert recovered.start == {"demand_rate": 1.03, "effort_scale": 1.0, "supplement_share": 0.1}
    assert fitted["demand_rate"] == pytest.approx(1.2, rel=0.02)
    assert fitted["effort_scale"] == pytest.approx(0.9, rel=0.05)
    assert fitted["supplement_share"] == pytest.approx(0.5, abs=0.05)
    assert all(t["within_tolerance"] for t in recovered.targets.values())


def test_four_totals_pin_down_the_three_parameters(recovered):
    found = recovered.identifiability["parameters"]
    assert {name: p["verdict"] for name, p in found.items()} == dict.fromkeys(
        ("demand_rate", "effort_scale", "supplement_share"), "pinned down by the targets")
    # demand moves the received total more than any other parameter does
    moves = {name: abs(p["moves"]["seed004_received"]) for name, p in found.items()}
    assert max(moves, key=moves.get) == "demand_rate"


def _observation(name: str):
    import datetime as dt

    from sim.analysis.report_figures import Observation

    return Observation(name, "received", "all", dt.date(2025, 7, 1), dt.date(2025, 7, 2), 1.0, 0.01, False)


def test_identifiability_tells_a_prior_and_an_open_combination_apart():
    spec = CalibrationSpec(
        (FreeParameter("a", "x.a", 0, 1), FreeParameter("b", "x.b", 0, 1),
         FreeParameter("c", "x.c", 0, 1, prior_mean=0.5, prior_sd=0.05)),
        (_observation("t1"), _observation("t2")), (), 1, 10, 0.03, 0.0)
    found = identifiability(spec, np.full(3, 0.5), lambda x: np.array([x[0] * 100, x[1] * 100]))["parameters"]
    assert [found[n]["verdict"] for n in "abc"] == ["pinned down by the targets"] * 2 + ["held by its prior"]
    assert found["a"]["sd_from_targets"] == pytest.approx(0.01)
    # only a + b reaches the targets: neither is pinned down alone, whatever the number of targets
    found = identifiability(spec, np.full(3, 0.5), lambda x: np.array([x[0] + x[1], 2 * (x[0] + x[1])]) * 100)
    assert [found["parameters"][n]["verdict"] for n in "ab"] == ["not pinned down"] * 2
    assert found["condition_number"] == float("inf")


def test_a_prior_needs_its_mean_and_its_spread():
    cfg = compose_config(*REDUCED, "+calibration.parameters.effort_scale.prior_mean=1.0")
    with pytest.raises(ConfigError, match="prior_sd: a prior needs both"):
        calibration_spec(cfg)


def test_lower_on_time_target_needs_more_effort_and_more_backlog_more_waiting_papers(observed, recovered):
    slower = fit({**observed, "seed004_on_time": observed["seed004_on_time"] - 3})
    assert slower.fitted["effort_scale"] > recovered.fitted["effort_scale"] + 0.02
    backlog = fit({**observed, "seed004_in_process": observed["seed004_in_process"] * 1.3,
                   "seed004_processed": observed["seed004_processed"] - 0.3 * observed["seed004_in_process"]})
    assert backlog.fitted["supplement_share"] > recovered.fitted["supplement_share"] + 0.05


def test_empty_parameter_list_is_refused():
    cfg = compose_config(*REDUCED)
    OmegaConf.update(cfg, "calibration.parameters", {}, merge=False)
    with pytest.raises(ConfigError, match="no free parameters"):
        calibration_spec(cfg)


def test_bounds_with_low_above_high_are_refused(tmp_path):
    done = run_module("sim.calibrate", *REDUCED, "calibration.parameters.effort_scale.low=3",
                      "calibration.parameters.effort_scale.high=1", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "sim: error: calibration.parameters.effort_scale.low: low 3.0 must be below high 1.0"]


def test_unreachable_target_is_refused_and_nothing_is_written(tmp_path):
    output = tmp_path / "calibrated.yaml"
    done = run_module("sim.calibrate", *REDUCED, "city.units=[ba_dinh]", "calibration.replications=1",
                      "observations.seed004_received.observed=1e7", f"calibration.output={output}", cwd=tmp_path)
    assert done.returncode == 2
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("sim: error: observations.seed004_received: observed 1e+07 is outside what the parameters")
    assert "demand_rate=" in last and "at its bound" in last
    assert "Traceback" not in done.stderr
    assert not output.exists()


def test_calibrate_command_writes_scenario_and_report(tmp_path, observed):
    output = tmp_path / "conf" / "scenario" / "fitted.yaml"  # a config folder of the user's
    folder = tmp_path / "run"
    start_at_truth = [f"{key}={value}" for key, value in TRUTH.items()]
    targets = [f"observations.{name}.observed={value}" for name, value in observed.items()]
    done = run_module("sim.calibrate", *REDUCED, *start_at_truth, *targets, "calibration.max_evaluations=6",
                      f"calibration.output={output}", f"hydra.run.dir={folder}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads((folder / "calibration.json").read_text())
    assert set(report["targets"]) == set(FITTED_TARGETS)
    assert set(report["checks"]) == {"october_online"}
    assert (folder / "calibration.png").stat().st_size > 0
    assert output.read_text().startswith("# @package _global_\n")
    written = OmegaConf.load(output)
    assert written.scenario.name == "fitted"
    assert written.scenario.effort_scale == pytest.approx(report["parameters"]["effort_scale"]["fitted"], rel=1e-5)
    assert written.stock.source == "handover" and written.staff.overtime.enabled  # the settings it was fitted under
    # the written file is a scenario of its own: selected from its folder, it gives the fitted values
    cfg = compose_config(*REDUCED, f"hydra.searchpath=[file://{tmp_path / 'conf'}]", "scenario=fitted")
    assert cfg.scenario.effort_scale == written.scenario.effort_scale and cfg.stock.source == "handover"
    calibration_spec(cfg)


def test_sensitivity_command_draws_a_tornado(tmp_path):
    folder = tmp_path / "run"
    done = run_module(
        "sim.sensitivity", *REDUCED, "sensitivity.replications=1",
        "~sensitivity.parameters.procedure_share", "~sensitivity.parameters.residents_per_desk",
        "~sensitivity.parameters.patience", "~sensitivity.parameters.copy_desk_minutes",
        "~sensitivity.parameters.supplement_wait", "~sensitivity.parameters.lag_scale",
        f"hydra.run.dir={folder}", cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert (folder / "tornado.png").stat().st_size > 0
    table = pd.read_csv(folder / "sensitivity.csv").set_index(["parameter", "end"])
    assert len(table) == 1 + 2 * 3
    on_time = table["on_time_pct"]
    assert on_time[("effort_scale", "low")] > on_time[("base", "base")] > on_time[("effort_scale", "high")]
    backlog = table["in_process"]
    assert backlog[("supplement_share", "low")] < backlog[("base", "base")] < backlog[("supplement_share", "high")]
