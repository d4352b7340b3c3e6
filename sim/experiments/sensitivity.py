"""One-at-a-time sensitivity of chosen KPIs: the validated ``sensitivity`` section, its runs, and
the result table (used by ``python -m sim.sensitivity`` and by :func:`sim.run_sensitivity`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from omegaconf import DictConfig, OmegaConf

from sim.analysis.kpis import KPI_NAMES
from sim.config.build import MAX_REPLICATIONS, check_range, build_scenario
from sim.config.entries import entry
from sim.config.schema import ChoiceConfig
from sim.errors import ConfigError
from sim.experiments.calibration import FreeParameter, city_kpis_by_replication, free_parameters, one_at_a_time


@dataclass(frozen=True)
class Choice:
    """A setting that is not a number, run at two of its values (``low`` and ``high``)."""

    name: str
    key: str
    low: object
    high: object
    description: str = ""


def _with_setting(cfg: DictConfig, key: str, value: object) -> DictConfig:
    out = cfg.copy()
    OmegaConf.update(out, key, value, merge=False)
    return out


def choices(section: dict, cfg: DictConfig) -> tuple[Choice, ...]:
    """The two-valued settings of ``sensitivity.choices``: each key a setting of the model that is
    not a number, each end a value the scenario accepts (checked by building it)."""
    out = []
    for name, raw in section.items():
        key = f"sensitivity.choices.{name}"
        c = entry(ChoiceConfig, raw, key)
        current = OmegaConf.select(cfg, c["key"], default=None) if c["key"] else None
        if current is None or isinstance(current, (int, float, dict, list)) and not isinstance(current, bool):
            raise ConfigError(f"{key}.key", f"{c['key']!r} is not a setting of the model that takes a name or a "
                                            "switch (numbers go in sensitivity.parameters)")
        if c["low"] == c["high"]:
            raise ConfigError(f"{key}.high", f"the two values must differ, both are {c['low']!r}")
        for end in ("low", "high"):
            try:
                build_scenario(_with_setting(cfg, c["key"], c[end]))
            except ConfigError as exc:
                raise ConfigError(f"{key}.{end}", f"{c[end]!r}: {exc.problem}") from None
        out.append(Choice(name, c["key"], c["low"], c["high"], str(c["description"])))
    return tuple(out)


def sensitivity_spec(cfg: DictConfig):
    """Validate the ``sensitivity`` section: parameters (and two-valued choices), outputs, replications."""
    build_scenario(cfg)
    s = OmegaConf.to_container(cfg.sensitivity, resolve=True)
    parameters = free_parameters(s["parameters"], "sensitivity.parameters", cfg, fitted=False) if s["parameters"] \
        or not s["choices"] else ()
    parameters += choices(s["choices"], cfg)
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

    parameters: tuple[FreeParameter | Choice, ...]
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
    numeric = tuple(p for p in parameters if isinstance(p, FreeParameter))
    if numeric:
        rows = one_at_a_time(cfg, numeric, outputs, replications, workers=workers, progress=progress)
    else:
        rows = [{"parameter": "base", "end": "base", "value": float("nan"), **_means(cfg, outputs, replications, workers)}]
    for c in parameters:
        if isinstance(c, Choice):
            for end, value in (("low", c.low), ("high", c.high)):
                run = _means(_with_setting(cfg, c.key, value), outputs, replications, workers)
                rows.append({"parameter": c.name, "end": end, "value": value, **run})
                if progress is not None:
                    progress(rows[-1])
    return Sensitivity(parameters, outputs, replications, rows)


def _means(cfg: DictConfig, outputs: list[str], replications: int, workers: int | None) -> dict[str, float]:
    """Each output's mean over replications 0..replications-1 (the same random numbers every run)."""
    by_rep = city_kpis_by_replication(cfg, replications, workers)
    return {o: float(np.nanmean([k[o] for k in by_rep])) for o in outputs}
