"""The main job's default scenario is the calibrated one, and it reproduces both city reports at
once: seed 004 (the Centre and the units, to 30 August 2025) and the October report (the units, to
23 September), each at its own scope and date, on the replications the fit used."""

from sim.experiments.calibration import calibration_spec, observed_by_replication, summarise_targets
from tests.conftest import compose_config


def test_calibrated_default_reproduces_both_reports():
    cfg = compose_config()
    assert cfg.scenario.name == "hanoi_2025_calibrated"
    spec = calibration_spec(cfg)
    observations = spec.targets + spec.checks
    values = observed_by_replication(cfg, observations, spec.replications, workers=2)
    for name, target in summarise_targets(values, observations).items():
        assert target["within_tolerance"], (name, target)
