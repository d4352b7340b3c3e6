"""One-at-a-time sensitivity of chosen KPIs: the validated ``sensitivity`` section, its runs, and
the result table (used by ``python -m sim.sensitivity`` and by :func:`sim.run_sensitivity`)."""

from __future__ import annotations

from dataclasses import dataclass

from omegaconf import DictConfig, OmegaConf

from sim.analysis.kpis import KPI_NAMES
from sim.config.build import MAX_REPLICATIONS, check_range, build_scenario
from sim.errors import ConfigError
from sim.experiments.calibration import FreeParameter, free_parameters, one_at_a_time


def sensitivity_spec(cfg: DictConfig):
    """Validate the ``sensitivity`` section: parameters, outputs, replications."""
    build_scenario(cfg)
    s = OmegaConf.to_container(cfg.sensitivity, resolve=True)
    parameters = free_parameters(s["parameters"], "sensitivity.parameters", cfg, fitted=False)
    for k, output in enumerate(s["outputs"]):
        if output not in KPI_NAMES:
            raise ConfigError(f"sensitivity.outputs[{k}]", f"unknown KPI {output!r} (KPIs: {', '.join(KPI_NAMES)})")
    if not s["outputs"]:
        raise ConfigError("sensitivity.outputs", "no outputs to show")
    check_range(s["replications"], "sensitivity.replications", 1, MAX_REPLICATIONS)
    return parameters, list(s["outputs"]), int(s["replications"])


@dataclass
class Sensitivity:
    """What a sensitivity analysis found: ``rows`` are tidy (parameter, end 'base'/'low'/'high',
    value, and the mean of each output over the replications)."""

    parameters: tuple[FreeParameter, ...]
    outputs: list[str]
    replications: int
    rows: list[dict]

    @property
    def table(self):
        """``rows`` as a DataFrame (what sensitivity.csv holds)."""
        import pandas as pd

        return pd.DataFrame(self.rows)


def run_one_at_a_time(cfg: DictConfig, spec: tuple, workers: int | None = None, progress=None) -> Sensitivity:
    """Run the base scenario and each parameter at both ends of its range (``spec`` from
    :func:`sensitivity_spec`); ``progress`` is called after each run."""
    parameters, outputs, replications = spec
    rows = one_at_a_time(cfg, parameters, outputs, replications, workers=workers, progress=progress)
    return Sensitivity(parameters, outputs, replications, rows)
