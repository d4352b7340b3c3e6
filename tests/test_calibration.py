"""Calibration and sensitivity on a reduced setting (two wards, four weeks): the fit recovers known
parameter values, follows its targets in the right direction, and refuses bad input clearly."""

import json

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim.experiments.calibration import calibrate, calibration_spec, city_kpis_by_replication, with_values
from sim.errors import ConfigError
from tests.conftest import compose_config, run_module

# Staff of the capped framework: thin enough that effort moves the on-time share and the backlog
# (with staff allocated by workload these two wards have slack, and effort is barely identified).
REDUCED = ("scenario=baseline", "city.units=[bach_mai,ba_dinh]", "period.end=2025-07-28",
           "calibration.replications=2", "calibration.max_evaluations=40", "progress=false",
           "staff.rule=framework", "staff.department_split=weights")
TRUTH = {"scenario.demand.records_per_1000_residents_per_day": 1.2, "scenario.effort_scale": 0.9,
         "scenario.supplement_share": 0.5}
FITTED_TARGETS = ("received", "processed", "on_time_pct", "in_process")


def synthetic_observations(truth: dict) -> dict:
    """City totals the model produces with known parameters, on the replications the fit uses.

    Same replications means the truth is exactly reachable: recovery then tests the fit itself,
    not the noise of two small wards."""
    by_rep = city_kpis_by_replication(with_values(compose_config(*REDUCED), truth), 2, workers=2)
    return {name: float(np.mean([k[name] for k in by_rep])) for name in FITTED_TARGETS}


def fit(observed: dict):
    overrides = [f"calibration.targets.{name}.observed={value}" for name, value in observed.items()]
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


def test_lower_on_time_target_needs_more_effort_and_more_backlog_more_waiting_papers(observed, recovered):
    slower = fit({**observed, "on_time_pct": observed["on_time_pct"] - 3})
    assert slower.fitted["effort_scale"] > recovered.fitted["effort_scale"] + 0.02
    backlog = fit({**observed, "in_process": observed["in_process"] * 1.3,
                   "processed": observed["processed"] - 0.3 * observed["in_process"]})
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
    done = run_module("sim.calibrate", *REDUCED, "city.units=[ba_dinh]", "period.end=2025-07-07",
                      "calibration.replications=1", "calibration.targets.received.observed=1e7",
                      f"calibration.output={output}", cwd=tmp_path)
    assert done.returncode == 2
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("sim: error: calibration.targets.received: observed 1e+07 is outside what the parameters")
    assert "demand_rate=" in last and "at its bound" in last
    assert "Traceback" not in done.stderr
    assert not output.exists()


def test_calibrate_command_writes_scenario_and_report(tmp_path, observed):
    output = tmp_path / "fitted.yaml"
    folder = tmp_path / "run"
    start_at_truth = [f"{key}={value}" for key, value in TRUTH.items()]
    targets = [f"calibration.targets.{name}.observed={value}" for name, value in observed.items()]
    done = run_module("sim.calibrate", *REDUCED, *start_at_truth, *targets, "calibration.max_evaluations=6",
                      f"calibration.output={output}", f"hydra.run.dir={folder}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads((folder / "calibration.json").read_text())
    assert set(report["targets"]) == set(FITTED_TARGETS)
    assert set(report["checks"]) == {"in_person_pct", "online_pct", "post_pct"}
    assert (folder / "calibration.png").stat().st_size > 0
    scenario = OmegaConf.load(output)
    assert scenario.name == "fitted"
    assert scenario.effort_scale == pytest.approx(report["parameters"]["effort_scale"]["fitted"], rel=1e-5)
    cfg = compose_config(*REDUCED)
    cfg.scenario = OmegaConf.merge(cfg.scenario, scenario)
    calibration_spec(cfg)  # the written scenario is a valid one


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
