"""The main job's default scenario is the calibrated one, and it reproduces seed 004's totals."""

from sim.experiments.calibration import calibration_spec, city_kpis_by_replication, summarise_targets
from tests.conftest import compose_config


def test_calibrated_default_reproduces_the_first_two_months():
    cfg = compose_config()
    assert cfg.scenario.name == "hanoi_2025_calibrated"
    spec = calibration_spec(cfg)
    by_rep = city_kpis_by_replication(cfg, spec.replications, workers=2)
    # received within 1 %, processed 2 %, on-time share 0.5 points, in process 3 %, channels 1 point
    for name, target in summarise_targets(by_rep, spec.targets + spec.checks).items():
        assert target["within_tolerance"], (name, target)
