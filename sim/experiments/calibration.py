"""Fitting the free parameters to the stored observations (the city's reports, each of its scope
and report date: :mod:`sim.analysis.report_figures`), and one-at-a-time sensitivity.

Every candidate parameter set is simulated on the same replications (common random numbers), so
the objective is a deterministic function of the parameters and differences between candidates
are not drowned by simulation noise. The fit minimises the targets' errors measured in units of
their tolerances with :func:`scipy.optimize.least_squares` inside the parameters' bounds.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from omegaconf import DictConfig, OmegaConf

from sim.analysis.intervals import mean_ci95
from sim.analysis.kpis import pooled_kpis
from sim.analysis.report_figures import FIGURES, Observation, simulated
from sim.config.build import MAX_REPLICATIONS, build_scenario, check_range
from sim.config.entries import entry, with_values
from sim.config.schema import FreeParameterConfig
from sim.errors import ConfigError
from sim.experiments.runner import run_scenario
from sim.experiments.validation import _built, covering, observations_from

MAX_EVALUATIONS = 10_000  # candidates of one calibration: each is a full simulation of every replication


class CalibrationError(RuntimeError):
    """The fit cannot meet its targets (for example a target no parameter value reaches).
    ``result`` is the fit as far as it went (its best candidate and every candidate tried), so
    that the search is not lost: a next fit can start from it."""

    def __init__(self, message: str, result: "CalibrationResult | None" = None):
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class FreeParameter:
    name: str
    key: str
    low: float
    high: float
    relative: bool = False
    description: str = ""
    prior_mean: float | None = None  # a prior belief (calibration): mean and standard deviation
    prior_sd: float | None = None
    prior_source: str = ""

    @property
    def has_prior(self) -> bool:
        return self.prior_mean is not None

    def prior_error(self, value: float) -> float:
        """Distance from the prior mean in prior standard deviations."""
        return (value - self.prior_mean) / self.prior_sd


def free_parameters(section: dict, prefix: str, cfg: DictConfig, fitted: bool) -> tuple[FreeParameter, ...]:
    """The parameters of ``section``; ``fitted`` (calibration): absolute bounds only."""
    if not section:
        raise ConfigError(prefix, "no free parameters are listed")
    parameters = []
    for name, raw in section.items():
        key = f"{prefix}.{name}"
        p = entry(FreeParameterConfig, raw, key)
        value = OmegaConf.select(cfg, p["key"], default=None) if p["key"] else None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{key}.key", f"{p['key']!r} is not a numeric setting of the model")
        if fitted and p["relative"]:
            raise ConfigError(f"{key}.relative", "fitted parameters take absolute bounds")
        check_range(p["low"], f"{key}.low", -math.inf)
        check_range(p["high"], f"{key}.high", -math.inf)
        if not p["low"] < p["high"]:
            raise ConfigError(f"{key}.low", f"low {p['low']} must be below high {p['high']}")
        if (p["prior_mean"] is None) != (p["prior_sd"] is None):
            raise ConfigError(f"{key}.prior_sd" if p["prior_sd"] is None else f"{key}.prior_mean",
                              "a prior needs both prior_mean and prior_sd")
        if p["prior_mean"] is not None:
            check_range(p["prior_mean"], f"{key}.prior_mean", p["low"], p["high"])
            check_range(p["prior_sd"], f"{key}.prior_sd", 0, above=True)
        parameters.append(FreeParameter(name, p["key"], float(p["low"]), float(p["high"]), bool(p["relative"]),
                                        str(p["description"]),
                                        None if p["prior_mean"] is None else float(p["prior_mean"]),
                                        None if p["prior_sd"] is None else float(p["prior_sd"]),
                                        str(p["prior_source"])))
    return tuple(parameters)


def named_observations(names: list, observations: dict[str, Observation], key: str) -> tuple[Observation, ...]:
    """The observations ``names`` lists (``calibration.targets`` or ``calibration.checks``)."""
    out = []
    for k, name in enumerate(names):
        if name not in observations:
            raise ConfigError(f"{key}[{k}]", f"unknown observation {name!r} (observations: {', '.join(observations)}; "
                                             "add one with +observations.NAME={figure: ..., ...})")
        if name in (o.name for o in out):
            raise ConfigError(f"{key}[{k}]", f"{name!r} is listed twice")
        out.append(observations[name])
    return tuple(out)


@dataclass(frozen=True)
class CalibrationSpec:
    parameters: tuple[FreeParameter, ...]
    targets: tuple[Observation, ...]  # fitted
    checks: tuple[Observation, ...]  # reported only
    replications: int
    max_evaluations: int
    diff_step: float
    stop_cost: float
    identifiability: bool = True
    settings_kept: tuple[str, ...] = ()  # recorded in the calibrated scenario file as they were


class _StopFit(Exception):
    """Raised inside the objective to end the fit: the targets are met closely, or the candidates
    allowed (``calibration.max_evaluations``, every simulated candidate counted, those of the
    finite-difference steps included) are used up."""


def calibration_spec(cfg: DictConfig) -> CalibrationSpec:
    """Validate the ``calibration`` section (and the model settings it starts from)."""
    build_scenario(cfg)
    c = OmegaConf.to_container(cfg.calibration, resolve=True)
    parameters = free_parameters(c["parameters"], "calibration.parameters", cfg, fitted=True)
    observations = {o.name: o for o in observations_from(cfg)}
    for p in parameters:
        start = OmegaConf.select(cfg, p.key)
        if not p.low <= start <= p.high:
            raise ConfigError(p.key, f"starting value {start} is outside calibration bounds [{p.low}, {p.high}]")
    fitted = named_observations(c["targets"], observations, "calibration.targets")
    if not fitted:
        raise ConfigError("calibration.targets", "no targets to fit")
    checks = named_observations(c["checks"], observations, "calibration.checks")
    _built(covering(cfg, fitted + checks), "calibration.targets")
    check_range(c["replications"], "calibration.replications", 1, MAX_REPLICATIONS)
    check_range(c["max_evaluations"], "calibration.max_evaluations", 1, MAX_EVALUATIONS)
    check_range(c["diff_step"], "calibration.diff_step", 0, 0.5, above=True)
    check_range(c["stop_cost"], "calibration.stop_cost", 0)
    _writable_file(c["output"], "calibration.output")
    for k, key in enumerate(c["settings_kept"]):
        if OmegaConf.select(cfg, key, default="not set") == "not set" or key.startswith("scenario."):
            raise ConfigError(f"calibration.settings_kept[{k}]", f"{key!r} is not a setting of the model outside "
                                                                 "scenario (the scenario section is always kept)")
    return CalibrationSpec(parameters, fitted, checks, int(c["replications"]),
                           int(c["max_evaluations"]), float(c["diff_step"]), float(c["stop_cost"]),
                           bool(c["identifiability"]), tuple(c["settings_kept"]))


def _writable_file(path: str, key: str) -> None:
    """Refuse, before a fit of many minutes, an output file that could never be written: one that
    is a folder, or one below a regular file."""
    if not path:
        return
    target = Path(path)
    if target.is_dir():
        raise ConfigError(key, f"{target} is a folder, not a file")
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError(key, f"{parent} is a file, not a folder")
            return


def city_kpis_by_replication(cfg: DictConfig, replications: int, workers: int | None = None) -> list[dict]:
    """City KPIs of each replication 0..replications-1 of the scenario ``cfg`` describes."""
    scenario = dataclasses.replace(build_scenario(cfg), replications=replications)
    return [pooled_kpis(rep) for rep in run_scenario(scenario, workers=workers, progress=False)]


def observed_by_replication(cfg: DictConfig, observations: tuple[Observation, ...], replications: int,
                            workers: int | None = None) -> dict[str, list[float]]:
    """Each observation's figure in replications 0..replications-1 of the scenario ``cfg`` describes,
    from one run covering every observation's period (:func:`sim.experiments.validation.covering`)."""
    scenario = dataclasses.replace(build_scenario(covering(cfg, observations)), replications=replications)
    results = run_scenario(scenario, workers=workers, progress=False)
    return {o.name: simulated(o, results, scenario) for o in observations}


def summarise_targets(values: dict[str, list[float]], items: tuple[Observation, ...]) -> dict:
    out = {}
    for o in items:
        figure = FIGURES[o.figure]
        ci = mean_ci95(values[o.name], figure.low, figure.high)
        err = o.error(ci["mean"]) if ci["mean"] is not None else math.nan
        out[o.name] = {"figure": o.figure, "scope": o.scope, "end": o.end.isoformat(), "observed": o.observed,
                       "tolerance": o.tolerance, "relative": o.relative, "source": o.source,
                       **ci, "error_in_tolerances": err, "within_tolerance": bool(abs(err) <= 1)}
    return out


@dataclass
class CalibrationResult:
    spec: CalibrationSpec
    start: dict[str, float]
    fitted: dict[str, float]  # parameter name -> value
    targets: dict  # target name -> observed, simulated mean and CI, error
    checks: dict
    evaluations: int
    wall_seconds: float
    history: list[dict] = field(default_factory=list)
    identifiability: dict = field(default_factory=dict)  # see :func:`identifiability`

    @property
    def fitted_by_key(self) -> dict[str, float]:
        return {p.key: self.fitted[p.name] for p in self.spec.parameters}

    def as_dict(self) -> dict:
        return {
            "parameters": {p.name: {"key": p.key, "low": p.low, "high": p.high, "start": self.start[p.name],
                                    "fitted": self.fitted[p.name], "description": p.description,
                                    "prior_mean": p.prior_mean, "prior_sd": p.prior_sd,
                                    "prior_source": p.prior_source}
                           for p in self.spec.parameters},
            "targets": self.targets,
            "checks": self.checks,
            "identifiability": self.identifiability,
            "replications": self.spec.replications,
            "evaluations": self.evaluations,
            "wall_seconds": self.wall_seconds,
            "history": self.history,
        }


def calibrate(cfg: DictConfig, spec: CalibrationSpec, workers: int | None = None, progress=None) -> CalibrationResult:
    """Fit ``spec.parameters`` to ``spec.targets``; raise CalibrationError if a target stays out of reach.

    The errors minimised are the targets' (in tolerances) and, for each parameter with a prior, its
    distance from the prior mean (in prior standard deviations)."""
    from scipy.optimize import least_squares

    started = time.perf_counter()
    lows = np.array([p.low for p in spec.parameters])
    highs = np.array([p.high for p in spec.parameters])
    start = np.array([float(OmegaConf.select(cfg, p.key)) for p in spec.parameters])
    history: list[dict] = []
    cache: dict[tuple, np.ndarray] = {}
    runs: list[dict[str, list[float]]] = []  # each observation by replication, per candidate in history order
    observations = spec.targets + spec.checks

    def target_errors(x: np.ndarray, stop_early: bool = True) -> np.ndarray:
        key = tuple(np.round(x, 12))
        if key not in cache:
            values = observed_by_replication(with_values(cfg, dict(zip((p.key for p in spec.parameters), x))),
                                             observations, spec.replications, workers)
            means = {o.name: float(np.mean(values[o.name])) for o in spec.targets}
            cache[key] = np.array([o.error(means[o.name]) for o in spec.targets])
            runs.append(values)
            history.append({"parameters": {p.name: float(v) for p, v in zip(spec.parameters, x)},
                            "simulated": means, "cost": float(np.sum(cache[key] ** 2) + _prior_cost(spec, x))})
            if progress is not None:
                progress(history[-1])
            if stop_early and (history[-1]["cost"] < spec.stop_cost or len(history) >= spec.max_evaluations):
                raise _StopFit
        return cache[key]

    def residuals(x: np.ndarray) -> np.ndarray:
        return np.concatenate([target_errors(x), _prior_errors(spec, x)])

    try:
        least_squares(residuals, np.clip(start, lows, highs), bounds=(lows, highs), diff_step=spec.diff_step,
                      x_scale=highs - lows, max_nfev=spec.max_evaluations, xtol=1e-4, ftol=1e-4)
    except _StopFit:
        pass
    best = int(np.argmin([h["cost"] for h in history]))  # the best candidate evaluated, not only the last
    values = runs[best]
    fitted = history[best]["parameters"]
    result = CalibrationResult(
        spec=spec,
        start={p.name: float(v) for p, v in zip(spec.parameters, start)},
        fitted=fitted,
        targets=summarise_targets(values, spec.targets),
        checks=summarise_targets(values, spec.checks),
        evaluations=len(history),
        wall_seconds=time.perf_counter() - started,
        history=history,
    )
    _check_reachable(result, lows, highs)
    if spec.identifiability:
        x = np.array([fitted[p.name] for p in spec.parameters])
        result.identifiability = identifiability(spec, x, lambda y: target_errors(y, stop_early=False))
        result.evaluations = len(history)
        result.wall_seconds = time.perf_counter() - started
    return result


def _prior_errors(spec: CalibrationSpec, x: np.ndarray) -> np.ndarray:
    return np.array([p.prior_error(v) for p, v in zip(spec.parameters, x) if p.has_prior])


def _prior_cost(spec: CalibrationSpec, x: np.ndarray) -> float:
    return float(np.sum(_prior_errors(spec, x) ** 2))


PINNED_SHARE_OF_RANGE = 0.1  # a parameter known to within this share of its range is pinned down


def identifiability(spec: CalibrationSpec, x: np.ndarray, target_errors) -> dict:
    """Which targets move which parameters, and what the targets cannot pin down.

    Each parameter is moved once by ``diff_step`` of its range (towards the inside of its range)
    and the change of every target's error is measured (common random numbers make it a clean
    difference). With that Jacobian ``J`` (tolerances per unit of the parameter), the local
    uncertainty of the parameters when each target is known to one tolerance is
    ``(JᵀJ)⁻¹`` (Gauss-Newton), and ``(JᵀJ + P)⁻¹`` with the priors' precisions ``P``. A parameter
    is *pinned down by the targets* when the targets know it to ``PINNED_SHARE_OF_RANGE`` of its
    range with every other parameter's prior in place but not its own; *held by its prior* when
    only its own prior does; else *not pinned down*. ``sd_from_targets`` (no prior at all) is inf
    for every parameter that a combination the targets leave open moves.
    """
    base = target_errors(x)
    columns = []
    for j, p in enumerate(spec.parameters):
        step = spec.diff_step * (p.high - p.low)
        if x[j] + step > p.high:
            step = -step
        moved = x.copy()
        moved[j] += step
        columns.append((target_errors(moved) - base) / step)
    jac = np.column_stack(columns)  # targets x parameters
    # Each parameter measured in its range (0..1), so that parameters of different units (records a
    # day, shares) are compared on one scale when a direction is judged unconstrained.
    ranges = np.array([p.high - p.low for p in spec.parameters])
    scaled = jac * ranges
    priors = np.diag([(r / p.prior_sd) ** 2 if p.has_prior else 0.0 for p, r in zip(spec.parameters, ranges)])

    def sds(precision: np.ndarray) -> np.ndarray:
        """Standard deviations (in parameter units) from a precision matrix of range-scaled
        parameters; inf for a parameter that a direction the targets leave unconstrained moves."""
        values, vectors = np.linalg.eigh(precision)
        free = values <= 1e-9 * max(values.max(initial=0.0), 1e-300)
        out = np.sqrt(np.maximum((vectors[:, ~free] ** 2 / values[~free]).sum(axis=1), 0.0))
        out[np.abs(vectors[:, free]).max(axis=1, initial=0.0) > 1e-3] = math.inf
        return out * ranges

    information = scaled.T @ scaled
    from_targets, with_priors = sds(information), sds(information + priors)
    singular = np.linalg.svd(scaled, compute_uv=False) if jac.size else np.zeros(0)
    parameters = {}
    for j, p in enumerate(spec.parameters):
        others = priors.copy()
        others[j, j] = 0.0  # every prior but its own: do the targets pin it, the others held where they are?
        own_free = sds(information + others)[j]
        pinned = PINNED_SHARE_OF_RANGE * (p.high - p.low)
        if own_free < pinned:
            verdict = "pinned down by the targets"
        elif p.has_prior and with_priors[j] < max(pinned, 1.01 * p.prior_sd):
            verdict = "held by its prior"
        else:
            verdict = "not pinned down"
        parameters[p.name] = {
            "value": float(x[j]), "sd_from_targets": float(from_targets[j]),
            "sd_given_other_priors": float(own_free), "sd_with_prior": float(with_priors[j]), "verdict": verdict,
            # the change of each target's error (in tolerances) when the parameter moves by a tenth of its range
            "moves": {t.name: float(jac[i, j] * 0.1 * (p.high - p.low)) for i, t in enumerate(spec.targets)},
        }
    # a singular value at rounding level (numpy's matrix_rank tolerance) is zero: the condition
    # number is then inf, not the 1e16 or so that the linear algebra library's rounding leaves
    tolerance = singular[0] * max(scaled.shape) * np.finfo(float).eps if len(singular) else 0.0
    condition = float(singular[0] / singular[-1]) if len(singular) and singular[-1] > tolerance else math.inf
    return {"parameters": parameters, "condition_number": condition}


UNREACHABLE_FACTOR = 5.0  # a target missed by this many tolerances stops the calibration
NEAR_BOUND = 0.01  # a parameter within this fraction of its range from a bound is "at" it


def _check_reachable(result: CalibrationResult, lows: np.ndarray, highs: np.ndarray) -> None:
    missed = {name: t for name, t in result.targets.items() if abs(t["error_in_tolerances"]) > UNREACHABLE_FACTOR}
    if not missed:
        return
    name, t = max(missed.items(), key=lambda item: abs(item[1]["error_in_tolerances"]))
    at_bound = [p for p, lo, hi in zip(result.spec.parameters, lows, highs)
                if min(result.fitted[p.name] - lo, hi - result.fitted[p.name]) <= NEAR_BOUND * (hi - lo)]
    best = f"best simulated {t['mean']:.6g}"
    if at_bound:
        bounds = ", ".join(f"{p.name}={result.fitted[p.name]:.4g} at its bound" for p in at_bound)
        reason = f"is outside what the parameters can reach ({best} with {bounds})"
    else:
        reason = (f"was not reached in {result.evaluations} candidates ({best}); "
                  "raise calibration.max_evaluations or check the bounds")
    raise CalibrationError(f"observations.{name}: observed {t['observed']:g} {reason}", result)


# --- sensitivity -----------------------------------------------------------------------------
def one_at_a_time(cfg: DictConfig, parameters: tuple[FreeParameter, ...], outputs: list[str], replications: int,
                  workers: int | None = None, progress=None) -> list[dict]:
    """Each parameter at the low and high end of its range, the others at the scenario's values.

    Returns tidy rows: parameter, end ('base', 'low', 'high'), value, and the mean of each output.
    """
    def run(values: dict[str, float]) -> dict[str, float]:
        by_rep = city_kpis_by_replication(with_values(cfg, values), replications, workers)
        return {o: float(np.nanmean([k[o] for k in by_rep])) for o in outputs}

    rows = [{"parameter": "base", "end": "base", "value": math.nan, **run({})}]
    for p in parameters:
        base_value = float(OmegaConf.select(cfg, p.key))
        for end, bound in (("low", p.low), ("high", p.high)):
            value = base_value * bound if p.relative else bound
            rows.append({"parameter": p.name, "end": end, "value": value, **run({p.key: value})})
            if progress is not None:
                progress(rows[-1])
    return rows
