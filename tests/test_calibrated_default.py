"""The main job's default scenario is the calibrated one, and it reproduces both city reports at
once: seed 004 (the Centre and the units, to 30 August 2025) and the October report (the units, to
23 September), each at its own scope and date, on the replications the fit used."""

import pytest

from sim.experiments.calibration import calibration_spec, observed_by_replication, summarise_targets
from tests.conftest import compose_config

TARGETS = ("seed004_received", "seed004_processed", "seed004_on_time", "seed004_in_process", "october_received",
           "october_resolved", "october_on_time_of_resolved", "october_in_process")
CHECKS = ("october_overdue", "october_in_person", "october_online", "october_post")
# Targets the shipped fit misses (README, "Calibration and sensitivity"), marked strict: once a refit
# meets one, its mark must go. The current fit meets all of them.
MISSED: set[str] = set()


@pytest.fixture(scope="module")
def fit():
    cfg = compose_config("front_office=as_it_works")  # the main job's default, front office included
    assert cfg.scenario.name == "hanoi_2025_calibrated"
    spec = calibration_spec(cfg)
    assert [o.name for o in spec.targets] == list(TARGETS) and [o.name for o in spec.checks] == list(CHECKS)
    observations = spec.targets + spec.checks
    return summarise_targets(observed_by_replication(cfg, observations, spec.replications, workers=2), observations)


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.xfail(strict=True, reason="the shipped fit misses it")) if name in MISSED
    else name for name in TARGETS + CHECKS])
def test_calibrated_default_reproduces_both_reports(fit, name):
    assert fit[name]["within_tolerance"], fit[name]
