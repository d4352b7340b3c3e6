"""The ensemble calibration where the answer is known: targets made by the model itself with a known
effort per record and share of other duties are given back to it. With the staff-side patterns the
ensemble covers the true values and pins their effect down; with the city's totals alone it cannot
(the loss of identification the city's reports show)."""

from __future__ import annotations

import numpy as np
import pytest
from omegaconf import OmegaConf

from sim.analysis.patterns import Pattern, simulated_pattern
from sim.experiments.ensemble import calibrate_ensemble, ensemble_spec
from sim.experiments.runner import calendar_for, run_scenario
from sim.config.build import build_scenario
from sim.config.entries import with_values
from tests.conftest import FORMER_DEFAULT, compose_config

pytestmark = pytest.mark.slow  # dozens of candidates, each a small simulation

# Two large wards and two small communes over four weeks, without the Centre: small enough to try
# dozens of candidates in seconds, with officers (allocated by workload) loaded enough that effort moves
# their load. Overtime when the waiting work exceeds the day.
SMALL = ("city.units=[ha_dong,tuong_mai,hong_son,my_duc]", "centre.enabled=false", "period.end=2025-07-28",
         "staff.overtime.enabled=true", "staff.overtime.trigger=work", "stock.source=none",
         "calibration.checks=[]", "progress=false", *FORMER_DEFAULT)
TRUTH = {"scenario.effort_scale": 1.6, "staff.other_duties_share": 0.3}
STRETCH = 1.6 / (1 - 0.3)  # what the engines see: effort over the time left for records
PARAMETERS = {
    "effort_scale": {"key": "scenario.effort_scale", "low": 0.5, "high": 3.0},
    "other_duties": {"key": "staff.other_duties_share", "low": 0.0, "high": 0.6},
}
UTILISATION = Pattern("utilisation", "staff_utilisation", ("ward", "commune"), (), 0, 0, 0, 0, 1)
RECEIVED_END = "2025-07-28"


def _truth_cfg():
    return with_values(compose_config(*SMALL), TRUTH)


@pytest.fixture(scope="module")
def truth():
    """What the model says at the true values: received and processed (the city's kind of total) and
    the officers' utilisation (the staff side), on replication 0, the one the candidates run."""
    cfg = _truth_cfg()
    scenario = build_scenario(OmegaConf.merge(cfg, {"replications": 1}))
    results = run_scenario(scenario, workers=1, progress=False)
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    from sim.analysis.kpis import pooled_kpis

    kpis = pooled_kpis(results[0])
    return {"received": float(kpis["reported_processed"] + kpis["reported_in_process"]),
            "processed": float(kpis["reported_processed"]),
            "utilisation": float(simulated_pattern(UTILISATION, results, scenario, calendar)[0])}


def _calibrated(truth, with_patterns: bool):
    cfg = compose_config(*SMALL)
    observations = {
        "received": {"figure": "received", "scope": "units", "period": {"start": "2025-07-01", "end": RECEIVED_END},
                     "observed": truth["received"], "tolerance": 0.01},
        "processed": {"figure": "processed", "scope": "units", "period": {"start": "2025-07-01", "end": RECEIVED_END},
                      "observed": truth["processed"], "tolerance": 0.01},
    }
    patterns = {"utilisation": {"statistic": "staff_utilisation", "units": {"kinds": ["ward", "commune"]},
                                "low": truth["utilisation"] - 0.02, "high": truth["utilisation"] + 0.02,
                                "tolerance": 0.02}}
    OmegaConf.update(cfg, "observations", observations, merge=False)
    OmegaConf.update(cfg, "patterns", patterns, merge=False)
    OmegaConf.update(cfg, "calibration.targets", ["received", "processed"], merge=False)
    settings = {"candidates": 16, "waves": 2, "replications": 1, "members": 0, "seed": 7, "parameters": PARAMETERS,
                "patterns": ["utilisation"] if with_patterns else []}
    for key, value in settings.items():
        OmegaConf.update(cfg, f"calibration.ensemble.{key}", value, merge=False)
    return calibrate_ensemble(cfg, ensemble_spec(cfg), workers=1)


def _stretches(result) -> np.ndarray:
    return np.array([c.values["effort_scale"] / (1 - c.values["other_duties"]) for c in result.members])


@pytest.fixture(scope="module")
def with_patterns(truth):
    return _calibrated(truth, True)


@pytest.fixture(scope="module")
def totals_only(truth):
    return _calibrated(truth, False)


def test_the_truth_reproduces_its_own_targets(truth):
    assert truth["processed"] > 0 and 0.3 < truth["utilisation"] < 0.95  # loaded enough for effort to show


def test_with_the_staff_side_pattern_the_ensemble_covers_and_pins_the_truth(with_patterns):
    stretch = _stretches(with_patterns)
    assert len(stretch) >= 3
    assert stretch.min() <= STRETCH <= stretch.max()
    # the members agree on the load: their effective effort lies within a quarter of the truth
    assert stretch.max() - stretch.min() < 0.25 * STRETCH
    # effort and other duties act as one product in the engines: the data hold the product more
    # tightly than either factor (relative to the range each can take)
    spread = with_patterns.spread()
    product_share = (stretch.max() - stretch.min()) / (3.0 / (1 - 0.6) - 0.5)
    assert all(spread[name]["share_of_range"] > product_share for name in ("effort_scale", "other_duties"))


def test_without_the_patterns_the_load_is_not_identified(with_patterns, totals_only):
    narrow, wide = _stretches(with_patterns), _stretches(totals_only)
    assert wide.min() <= STRETCH <= wide.max()
    assert (wide.max() - wide.min()) > 3 * (narrow.max() - narrow.min())


def test_every_candidate_is_judged_by_every_target(with_patterns):
    for c in with_patterns.candidates:
        assert set(c.errors) == {"received", "processed", "utilisation"}
        assert c.kept == all(abs(e) <= 1 for e in c.errors.values())
