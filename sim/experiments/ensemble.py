"""The ensemble calibration: not one parameter set but every one the evidence leaves plausible.

The city's totals cannot tell an idle city from an overloaded one, so a point fit puts the
officers' load wherever its priors are. Here the free parameters (``calibration.ensemble.parameters``)
are explored by history matching in waves, on common random numbers:

1. wave 1 samples a Latin hypercube over each parameter's range;
2. each candidate runs the scenario over the observations' period and is compared with every
   target: the stored observations (``calibration.targets``) and the pattern targets of the
   staff-side evidence (``calibration.ensemble.patterns``, :mod:`sim.analysis.patterns`), each
   error in its tolerances;
3. a candidate within one tolerance of every target is *not ruled out* and joins the ensemble;
4. every later wave samples around the candidates not ruled out (around the closest ones when
   there are none yet), with a Gaussian kernel as wide as their spread.

The ensemble is the candidates not ruled out, each a full parameter set. It is a plain file
(:mod:`sim.model.ensemble`) that every command takes (``ensemble.path``). What the targets cannot
pin down shows as a wide spread of a parameter across the members, and the report says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import time
from dataclasses import dataclass, field

import numpy as np
from omegaconf import DictConfig, OmegaConf

from sim.analysis.patterns import STATISTICS, Pattern, simulated_pattern
from sim.analysis.report_figures import Observation, simulated
from sim.config.build import MAX_REPLICATIONS, build_scenario, check_range
from sim.config.entries import entry
from sim.config.schema import PatternConfig
from sim.errors import ConfigError
from sim.config.entries import with_values
from sim.config.ensemble import central_index
from sim.experiments.calibration import FreeParameter, free_parameters, named_observations
from sim.experiments.runner import calendar_for, run_scenario
from sim.experiments.validation import _built, covering, observations_from
from sim.model.city import CENTRE_KIND, KINDS

MAX_CANDIDATES = 10_000  # candidates of one wave
MAX_WAVES = 20
ACCEPT_WITHIN = 1.0  # a candidate is not ruled out when every target is within this many tolerances
KERNEL_WIDTH = 1.0  # a later wave's kernel: this many standard deviations of the candidates kept
CLOSEST_SHARE = 0.2  # with none kept yet, a later wave samples around this share of the closest candidates
PINNED_SHARE = 0.25  # a parameter whose members span less than this share of its range is pinned down
MIN_MEMBERS_TO_JUDGE = 3  # with fewer members a spread says nothing

# Outputs every candidate reports besides its targets: the officers' load per kind of node.
REPORTED = tuple((f"{statistic}_{kind}", statistic, kind)
                 for statistic in ("staff_utilisation", "overtime_hours_per_officer_week")
                 for kind in (*KINDS, CENTRE_KIND))


# --- patterns as data ----------------------------------------------------------------------------
def patterns_from(cfg: DictConfig, names: list | None = None, key: str = "patterns") -> tuple[Pattern, ...]:
    """The ``patterns`` section (or the entries ``names`` lists), each checked; ConfigError names the key."""
    section = OmegaConf.to_container(cfg.patterns, resolve=True) if "patterns" in cfg else {}
    chosen = list(section) if names is None else list(names)
    kinds = (*KINDS, CENTRE_KIND)
    out = []
    for k, name in enumerate(chosen):
        if name not in section:
            raise ConfigError(f"{key}[{k}]", f"unknown pattern {name!r} (patterns: {', '.join(section) or 'none'}; "
                                             "add one with +patterns.NAME={statistic: ..., ...})")
        at = f"patterns.{name}"
        p = entry(PatternConfig, section[name], at)
        if p["statistic"] not in STATISTICS:
            raise ConfigError(f"{at}.statistic", f"unknown statistic {p['statistic']!r} "
                                                 f"(statistics: {', '.join(STATISTICS.names())})")
        units = p["units"]
        for j, kind in enumerate(units["kinds"]):
            if kind not in kinds:
                raise ConfigError(f"{at}.units.kinds[{j}]", f"unknown kind {kind!r}; choose among {', '.join(kinds)}")
        if not units["kinds"] and not units["slugs"]:
            raise ConfigError(f"{at}.units", "names no kind and no slug: the pattern would cover nothing")
        for part in ("largest", "smallest"):
            check_range(units[part], f"{at}.units.{part}", 0, 1_000_000)
        if units["largest"] and units["smallest"]:
            raise ConfigError(f"{at}.units", "give largest or smallest, not both")
        check_range(p["low"], f"{at}.low", -math.inf)
        check_range(p["high"], f"{at}.high", -math.inf)
        if p["high"] < p["low"]:
            raise ConfigError(f"{at}.high", f"{p['high']} is below low {p['low']}")
        check_range(p["tolerance"], f"{at}.tolerance", 0, above=True)
        out.append(Pattern(name, p["statistic"], tuple(units["kinds"]), tuple(units["slugs"]), int(units["largest"]),
                           int(units["smallest"]), float(p["low"]), float(p["high"]), float(p["tolerance"]),
                           str(p["source"])))
    return tuple(out)


# --- the specification ---------------------------------------------------------------------------
@dataclass(frozen=True)
class EnsembleSpec:
    parameters: tuple[FreeParameter, ...]
    targets: tuple[Observation, ...]
    patterns: tuple[Pattern, ...]
    checks: tuple[Observation, ...]
    candidates: int  # per wave
    waves: int
    replications: int
    members: int  # the most members kept (0: every candidate not ruled out)
    seed: int


def ensemble_spec(cfg: DictConfig) -> EnsembleSpec:
    """Validate ``calibration`` for the ensemble method (and the model settings it starts from)."""
    build_scenario(cfg)
    c = OmegaConf.to_container(cfg.calibration, resolve=True)
    e = c["ensemble"]
    parameters = free_parameters(e["parameters"], "calibration.ensemble.parameters", cfg, fitted=True)
    observations = {o.name: o for o in observations_from(cfg)}
    targets = named_observations(c["targets"], observations, "calibration.targets")
    checks = named_observations(c["checks"], observations, "calibration.checks")
    patterns = patterns_from(cfg, e["patterns"], "calibration.ensemble.patterns")
    if not targets and not patterns:
        raise ConfigError("calibration.targets", "no targets and no patterns to hold the ensemble to")
    run = _built(covering(cfg, targets + checks), "calibration.targets")
    for k, pattern in enumerate(patterns):
        if not pattern.positions(run):
            raise ConfigError(f"calibration.ensemble.patterns[{k}]",
                              f"{pattern.name}: none of {pattern.describe_units()} is in the run (city.units)")
    check_range(e["candidates"], "calibration.ensemble.candidates", 1, MAX_CANDIDATES)
    check_range(e["waves"], "calibration.ensemble.waves", 1, MAX_WAVES)
    check_range(e["replications"], "calibration.ensemble.replications", 1, MAX_REPLICATIONS)
    check_range(e["members"], "calibration.ensemble.members", 0, MAX_CANDIDATES * MAX_WAVES)
    check_range(e["seed"], "calibration.ensemble.seed", 0, 2**63 - 1)
    return EnsembleSpec(parameters, targets, patterns, checks, int(e["candidates"]), int(e["waves"]),
                        int(e["replications"]), int(e["members"]), int(e["seed"]))


# --- one candidate ---------------------------------------------------------------------------------
@dataclass
class Candidate:
    wave: int
    values: dict[str, float]  # parameter name -> value
    simulated: dict[str, float] = field(default_factory=dict)  # target, check or pattern -> mean
    errors: dict[str, float] = field(default_factory=dict)  # target or pattern -> error in tolerances
    reported: dict[str, float] = field(default_factory=dict)  # REPORTED -> mean

    @property
    def worst(self) -> float:
        return max((abs(e) for e in self.errors.values()), default=0.0)

    @property
    def kept(self) -> bool:
        """Not ruled out: every target and pattern within ACCEPT_WITHIN tolerances."""
        return all(abs(e) <= ACCEPT_WITHIN for e in self.errors.values()) and bool(self.errors)


def evaluate(cfg: DictConfig, spec: EnsembleSpec, values: dict[str, float], workers: int | None) -> Candidate:
    """Run one candidate on replications 0..R-1 over the observations' period and compare."""
    keys = {p.key: values[p.name] for p in spec.parameters}
    scenario = dataclasses.replace(build_scenario(covering(with_values(cfg, keys), spec.targets + spec.checks)),
                                   replications=spec.replications)
    results = run_scenario(scenario, workers=workers, progress=False)
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    candidate = Candidate(0, dict(values))
    for o in spec.targets + spec.checks:
        series = simulated(o, results, scenario)
        mean = float(np.mean(series)) if series else math.nan
        candidate.simulated[o.name] = mean
        candidate.errors[o.name] = o.error(mean) if series else math.inf  # checks too: every member meets all
    for p in spec.patterns:
        series = [v for v in simulated_pattern(p, results, scenario, calendar) if not math.isnan(v)]
        mean = float(np.mean(series)) if series else math.nan  # nan: none of its units is in the run
        candidate.simulated[p.name] = mean
        candidate.errors[p.name] = p.error(mean) if not math.isnan(mean) else math.inf
    for name, statistic, kind in REPORTED:
        probe = Pattern(name, statistic, (kind,), (), 0, 0, 0.0, 0.0, 1.0)
        series = [v for v in simulated_pattern(probe, results, scenario, calendar) if not math.isnan(v)]
        candidate.reported[name] = float(np.mean(series)) if series else math.nan
    return candidate


# --- the waves --------------------------------------------------------------------------------------
def _first_wave(spec: EnsembleSpec) -> np.ndarray:
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(spec.parameters), seed=np.random.default_rng([spec.seed, 1])).random(spec.candidates)
    lows, highs = _bounds(spec)
    return lows + unit * (highs - lows)


def _bounds(spec: EnsembleSpec) -> tuple[np.ndarray, np.ndarray]:
    return np.array([p.low for p in spec.parameters]), np.array([p.high for p in spec.parameters])


def _next_wave(spec: EnsembleSpec, tried: list[Candidate], wave: int) -> np.ndarray:
    """Candidates around those not ruled out (or around the closest): a kernel as wide as their
    spread, reflected into the parameters' ranges."""
    rng = np.random.default_rng([spec.seed, wave])
    lows, highs = _bounds(spec)
    kept = [c for c in tried if c.kept]
    if not kept:
        ranked = sorted(tried, key=lambda c: c.worst)
        kept = ranked[:max(1, int(math.ceil(CLOSEST_SHARE * len(ranked))))]
    centres = np.array([[c.values[p.name] for p in spec.parameters] for c in kept])
    spread = centres.std(axis=0) if len(centres) > 1 else np.zeros(len(spec.parameters))
    width = KERNEL_WIDTH * np.maximum(spread, 0.05 * (highs - lows))
    picks = centres[rng.integers(0, len(centres), spec.candidates)]
    x = picks + rng.normal(0.0, 1.0, picks.shape) * width
    x = np.where(x < lows, 2 * lows - x, x)
    x = np.where(x > highs, 2 * highs - x, x)
    return np.clip(x, lows, highs)


@dataclass
class EnsembleResult:
    spec: EnsembleSpec
    candidates: list[Candidate]
    wall_seconds: float
    created: str

    @property
    def kept(self) -> list[Candidate]:
        return [c for c in self.candidates if c.kept]

    @property
    def members(self) -> list[Candidate]:
        """The candidates not ruled out, at most ``spec.members`` of them spread over the order they
        were found in (every one when members is 0)."""
        kept = self.kept
        if not self.spec.members or len(kept) <= self.spec.members:
            return kept
        picks = np.unique(np.round(np.linspace(0, len(kept) - 1, self.spec.members)).astype(int))
        return [kept[k] for k in picks]

    def spread(self) -> dict[str, dict]:
        """Each parameter across the members: range, median, and whether the targets pin it down."""
        out = {}
        members = self.members
        for p in self.spec.parameters:
            values = np.array([c.values[p.name] for c in members])
            if not len(values):
                out[p.name] = {"key": p.key, "low": p.low, "high": p.high, "members": 0}
                continue
            share = float((values.max() - values.min()) / (p.high - p.low))
            if len(values) < MIN_MEMBERS_TO_JUDGE:
                verdict = f"not known: {len(values)} member(s) are too few to show a spread"
            elif share < PINNED_SHARE:  # narrow: the targets hold it, or the waves explored too little
                verdict = f"narrow: the members span {share:.0%} of its range"
            else:
                verdict = f"not pinned down: the members span {share:.0%} of its range"
            out[p.name] = {
                "key": p.key, "low": p.low, "high": p.high, "description": p.description,
                "prior_source": p.prior_source, "min": float(values.min()), "median": float(np.median(values)),
                "max": float(values.max()), "share_of_range": share, "verdict": verdict,
            }
        return out

    def reported_spread(self) -> dict[str, dict]:
        out = {}
        for name, _, _ in REPORTED:
            values = np.array([c.reported[name] for c in self.members if not math.isnan(c.reported.get(name, math.nan))])
            if len(values):
                out[name] = {"min": float(values.min()), "median": float(np.median(values)), "max": float(values.max())}
        return out

    def central(self) -> Candidate | None:
        """The member nearest the members' median, each parameter in its range: the point answer."""
        members = self.members
        if not members:
            return None
        lows, highs = _bounds(self.spec)
        return members[central_index([[c.values[p.name] for p in self.spec.parameters] for c in members], lows, highs)]


def calibrate_ensemble(cfg: DictConfig, spec: EnsembleSpec, workers: int | None = None, progress=None) -> EnsembleResult:
    """Every wave of candidates, simulated and compared (see the module's docstring);
    ``progress(candidate)`` is called after each."""
    started = time.perf_counter()
    tried: list[Candidate] = []
    for wave in range(1, spec.waves + 1):
        points = _first_wave(spec) if wave == 1 else _next_wave(spec, tried, wave)
        for x in points:
            candidate = evaluate(cfg, spec, {p.name: float(v) for p, v in zip(spec.parameters, x)}, workers)
            candidate.wave = wave
            tried.append(candidate)
            if progress is not None:
                progress(candidate)
    return EnsembleResult(spec, tried, time.perf_counter() - started, dt.datetime.now().isoformat(timespec="seconds"))
