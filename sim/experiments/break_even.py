"""Break-even: per unit, the value of an uncertain parameter at which an alternative structure
starts to pay (``python -m sim.breakeven``; docs/structures.md, "Break-even: where a fourth department pays").

Whether a fourth department improves a unit's on-time share of records received (or, with
``break_even.kpi=overtime``, cuts its officers' overtime) depends on a
parameter nobody has measured, by default ``staff.breadth_penalty`` (extra effort per record for
each field beyond the first a department covers): a broad department pays for its breadth only
if the penalty is large. For each unit, D(θ) is the gain: the paired difference alternative −
baseline of ``on_time_of_received_pct`` (or baseline − alternative of overtime hours per officer
and week) with the parameter at θ: both structures run the same replications
0..R−1 at every θ (common random numbers), so D moves with θ, not with fresh noise. A gain is
*shown* at θ when the whole 95 % interval of D(θ) lies above ``break_even.min_gain`` (0: above 0).

1. D is evaluated at both ends of the range ``[break_even.low, break_even.high]``.
2. Shown at both ends: "gains for every value in the range"; at neither end: "no gain within the
   range" (D is taken to be monotone in θ: a gain shown nowhere at the ends is shown nowhere).
3. Shown at one end only: the break-even θ* is where the mean of D crosses ``min_gain``, found by
   bisection until the bracket is narrower than ``break_even.tolerance``. Its interval is where the
   interval of D(θ) includes ``min_gain``: from where its upper bound crosses ``min_gain`` (beyond
   it the alternative is shown to do no better) to where its lower bound does (beyond it the gain
   is shown), each found by bisection on that bound. A bound that does not cross inside the range
   is given as the range's end, and so is θ* when the mean does not cross (``at_end``): the true
   value lies beyond it. The verdict says on which side of θ* the alternative gains ("gains above
   the break-even" when D rises with θ, as with the breadth penalty).

The baseline is the configured structure (with the user's overrides); the alternative is
``break_even.structure`` under staffing policy ``break_even.policy`` (default: the first of
``compare.policies``). The Centre's branches keep their own departments and are never analysed.
The change of overtime per officer and week is reported at the range's ends beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import pandas as pd
from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf.nodes import IntegerNode

from sim.errors import ConfigError
from sim.experiments.comparison import Variant, run_variant, unit_differences, variant_config

KPI = "on_time_of_received_pct"
OVERTIME = "overtime_hours_per_officer_week"
# break_even.kpi -> what a gain is: the on-time share rising (points), or overtime falling (hours saved)
GAINS = {"on_time": "points of on-time share", "overtime": "hours of overtime saved per officer and week"}
# keys that set how the run goes, not what is simulated: moving the seed would break common random numbers
NOT_PARAMETERS = ("seed", "replications", "workers", "progress", "top_units", "break_even", "compare", "recommend",
                  "calibration", "sensitivity", "report", "validate")
VERDICTS = {  # verdict -> plain words (the map's legend and the CSV say these)
    "gains_everywhere": "gains for every value in the range",
    "no_gain": "no gain within the range",
    "gains_above": "gains above the break-even",
    "gains_below": "gains below the break-even",
}


@dataclass(frozen=True)
class Setting:
    """The checked settings of a break-even search."""

    parameter: str
    integer: bool  # the parameter takes whole numbers: bisection stops at a bracket of 1
    low: float
    high: float
    structure: str  # the alternative
    baseline: str
    policy: str
    units: tuple[str, ...]
    tolerance: float
    kpi: str  # what a gain is: one of GAINS
    min_gain: float
    base: DictConfig  # the configured structure, the chosen units only, no Centre
    alternative: DictConfig


def _number(value, key: str, *, positive: bool = False, at_least_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(key, f"must be a finite number, got {value!r}")
    if positive and value <= 0:
        raise ConfigError(key, f"must be above 0, got {value}")
    if at_least_zero and value < 0:
        raise ConfigError(key, f"must be at least 0, got {value}")
    return float(value)


def _parameter(cfg: DictConfig, key: str) -> bool:
    """Check that ``key`` names a number of the config; whether it is a whole number."""
    missing = object()
    node = OmegaConf.select(cfg, key, default=missing) if key else missing
    if node is missing:
        raise ConfigError("break_even.parameter", f"unknown key {key!r} (every key is in sim/config/schema.py)")
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        raise ConfigError("break_even.parameter", f"{key} is not a number (it is {node!r})")
    if key.split(".")[0] in NOT_PARAMETERS:
        raise ConfigError("break_even.parameter", f"{key} is a setting of the run, not of the model: name a parameter")
    parent, _, leaf = key.rpartition(".")
    container = OmegaConf.select(cfg, parent) if parent else cfg
    return isinstance(container._get_node(int(leaf) if isinstance(container, ListConfig) else leaf), IntegerNode)


def at(cfg: DictConfig, setting: Setting, theta: float) -> DictConfig:
    """``cfg`` with the parameter at ``theta`` (rounded for a whole-number parameter)."""
    v = cfg.copy()
    OmegaConf.update(v, setting.parameter, round(theta) if setting.integer else float(theta), merge=False)
    return v


def _units(cfg: DictConfig, alternative: str, chosen: list[str]) -> tuple[str, ...]:
    """The units to analyse: ``chosen`` (each checked), or every unit of ``city.units`` (empty: all)
    whose departments differ between the configured structure and ``alternative``."""
    from sim.config.build import _structure, load_structure_config
    from sim.model.city import CENTRE_KIND, load_units

    base = _structure(OmegaConf.to_container(cfg.structure, resolve=True), "structure")
    alt = _structure(load_structure_config(alternative, "break_even.structure"), "break_even.structure")
    units = {u.slug: u for u in load_units(cfg.city.table, cfg.city.suspect_population)}
    branches = set(cfg.centre.branches)

    def differs(u) -> bool:
        shape = lambda s: [(d.name, d.fields) for d in s.for_unit(u.kind, u.population).departments]  # noqa: E731
        return shape(base) != shape(alt)

    if chosen:
        if len(set(chosen)) != len(chosen):
            raise ConfigError("break_even.units", "a unit is listed twice")
        for k, slug in enumerate(chosen):
            key = f"break_even.units[{k}]"
            if slug in branches:
                raise ConfigError(key, f"{slug!r} is a branch of the City Centre, which keeps its own departments")
            if slug not in units:
                raise ConfigError(key, f"unknown unit slug {slug!r} (python -m sim.units lists them)")
            if not differs(units[slug]):
                raise ConfigError(key, f"{slug!r} has the same departments under {alternative} as under "
                                       f"{cfg.structure.name}: nothing to compare")
        return tuple(chosen)
    pool = [s for s in (cfg.city.units or units) if s not in branches and s in units]
    found = tuple(s for s in pool if units[s].kind != CENTRE_KIND and differs(units[s]))
    if not found:
        raise ConfigError("break_even.structure", f"{alternative} gives the same departments as "
                                                  f"{cfg.structure.name} to every unit chosen: nothing to compare")
    return found


def settings(cfg: DictConfig) -> Setting:
    """The checked settings (each problem a :class:`ConfigError` naming its key); both structures
    are built at both ends of the range, so a value the parameter cannot take is refused here."""
    from sim.config.build import build_scenario
    from sim.model.structures import STAFFING_POLICIES

    b = cfg.break_even
    integer = _parameter(cfg, str(b.parameter))
    low, high = _number(b.low, "break_even.low"), _number(b.high, "break_even.high")
    if low >= high:
        raise ConfigError("break_even.high", f"must be above break_even.low ({low}), got {high}")
    tolerance = _number(b.tolerance, "break_even.tolerance", positive=True)
    min_gain = _number(b.min_gain, "break_even.min_gain", at_least_zero=True)
    if b.kpi not in GAINS:
        raise ConfigError("break_even.kpi", f"unknown {b.kpi!r}; choose one of {', '.join(GAINS)}")
    if b.structure == cfg.structure.name:
        raise ConfigError("break_even.structure", f"{b.structure!r} is the configured structure (the baseline): "
                                                  "name the alternative")
    policy = b.policy if b.policy is not None else (cfg.compare.policies[0] if cfg.compare.policies else None)
    if policy not in STAFFING_POLICIES:
        raise ConfigError("break_even.policy", f"unknown policy {policy!r}; choose one of "
                                               f"{', '.join(STAFFING_POLICIES.names())}")
    units = _units(cfg, str(b.structure), list(b.units))
    if cfg.replications < 2:
        raise ConfigError("replications", f"break-even needs at least 2 for an interval, got {cfg.replications}")
    base = cfg.copy()
    OmegaConf.update(base, "city.units", list(units), merge=False)
    OmegaConf.update(base, "centre.enabled", False, merge=False)
    setting = Setting(str(b.parameter), integer, low, high, str(b.structure), str(cfg.structure.name), str(policy),
                      units, tolerance, str(b.kpi), min_gain, variant_config(base, cfg.structure.name, policy, "structure"),
                      variant_config(base, str(b.structure), policy, "break_even.structure"))
    for key, theta in (("break_even.low", low), ("break_even.high", high)):
        for c in (setting.base, setting.alternative):
            try:
                build_scenario(at(c, setting, theta))
            except ConfigError as exc:
                if not exc.key.startswith(setting.parameter):
                    raise
                raise ConfigError(key, f"{setting.parameter}={theta:g} is refused ({exc.problem})") from None
    return setting


@dataclass(frozen=True)
class Point:
    """D(θ) of one unit: the gain (``mean``, ``low``, ``high``: as ``Setting.kpi`` says, with its 95 %
    interval), and the paired changes of the on-time share and of overtime it comes from."""

    theta: float
    mean: float
    low: float
    high: float
    on_time: float
    on_time_low: float
    on_time_high: float
    overtime: float
    overtime_low: float
    overtime_high: float


def evaluate(setting: Setting, slugs: list[str], theta: float, workers: int | None = None) -> dict[str, Point]:
    """Run baseline and alternative on the same replications with the parameter at ``theta``;
    each unit's paired differences (units are independent nodes: a unit's result does not depend
    on the others run with it)."""
    runs = []
    for name, c in ((setting.baseline, setting.base), (setting.structure, setting.alternative)):
        v = at(c, setting, theta)
        OmegaConf.update(v, "city.units", list(slugs), merge=False)
        runs.append(run_variant(Variant(name, name, setting.policy, v), workers=workers))
    base, alt = runs[0].units, runs[1].units
    on_time = unit_differences(base, alt, KPI).set_index("slug")
    overtime = unit_differences(base, alt, OVERTIME).set_index("slug")

    def value(frame, slug, column) -> float:
        x = frame.at[slug, column]
        return math.nan if x is None or pd.isna(x) else float(x)

    out = {}
    for s in slugs:
        changes = [value(frame, s, c) for frame in (on_time, overtime) for c in ("change", "ci95_low", "ci95_high")]
        o, o_low, o_high = changes[3:]
        gain = changes[:3] if setting.kpi == "on_time" else [-o, -o_high, -o_low]  # hours saved
        out[s] = Point(theta, *gain, *changes)
    return out


def crossing(above: Callable[[float], bool], a: float, b: float, tolerance: float, integer: bool = False) -> float:
    """Bisection: the middle of the last bracket [a, b] (narrower than ``tolerance``, or 1 for a
    whole-number parameter) where ``above`` changes; ``above(a) != above(b)`` is assumed."""
    at_a = above(a)
    while b - a > (max(tolerance, 1.0) if integer else tolerance):
        mid = math.floor((a + b) / 2) if integer else (a + b) / 2
        if above(mid) == at_a:
            a = mid
        else:
            b = mid
    return (a + b) / 2


def unit_break_even(setting: Setting, slug: str, ends: tuple[Point, Point], workers: int | None = None) -> dict:
    """One unit's verdict, θ* with its interval and the evaluations made (see the module's docstring)."""
    points = {ends[0].theta: ends[0], ends[1].theta: ends[1]}

    def point(theta: float) -> Point:
        if theta not in points:
            points[theta] = evaluate(setting, [slug], theta, workers)[slug]
        return points[theta]

    m, lo, hi = setting.min_gain, setting.low, setting.high
    shown = [p.low > m for p in ends]  # a NaN bound (no interval) shows nothing
    out = {"verdict": "gains_everywhere" if all(shown) else "no_gain" if not any(shown)
           else "gains_above" if shown[1] else "gains_below",
           "theta_star": math.nan, "theta_star_low": math.nan, "theta_star_high": math.nan, "at_end": False}
    if out["verdict"] in ("gains_above", "gains_below"):
        def cross(bound: str) -> float | None:
            f = lambda t: getattr(point(t), bound) > m  # noqa: E731
            if f(lo) == f(hi):
                return None
            return crossing(f, lo, hi, setting.tolerance, setting.integer)

        edge = lo if out["verdict"] == "gains_above" else hi  # the end where no gain is shown
        mean = cross("mean")
        star = mean if mean is not None else edge
        shown_none = cross("high")  # on the edge's side of it the interval of D lies at or below min_gain
        shown_gain = cross("low")  # beyond it the gain is shown; it always crosses (shown at one end only)
        bounds = [star, shown_gain, shown_none if shown_none is not None else edge]
        out.update(theta_star=star, at_end=mean is None, theta_star_low=min(bounds), theta_star_high=max(bounds))
    out["evaluations"] = len(points)
    return out


@dataclass
class BreakEven:
    setting: Setting
    table: pd.DataFrame  # one row per unit (see ``COLUMNS``)


COLUMNS = ("slug", "name", "kind", "population", "verdict", "verdict_words", "parameter", "theta_star",
           "theta_star_low", "theta_star_high", "at_end", "low", "high", "kpi",
           "gain_at_low", "gain_at_low_ci95_low", "gain_at_low_ci95_high",
           "gain_at_high", "gain_at_high_ci95_low", "gain_at_high_ci95_high",
           "change_at_low", "change_at_low_ci95_low", "change_at_low_ci95_high",
           "change_at_high", "change_at_high_ci95_low", "change_at_high_ci95_high",
           "overtime_change_at_low", "overtime_change_at_low_ci95_low", "overtime_change_at_low_ci95_high",
           "overtime_change_at_high", "overtime_change_at_high_ci95_low", "overtime_change_at_high_ci95_high",
           "evaluations")


def break_even(cfg: DictConfig, workers: int | None = None, progress: Callable[[str], object] | None = None,
               setting: Setting | None = None) -> BreakEven:
    """Each unit's break-even (see the module's docstring). ``progress(step)`` is called after the
    range's two ends and after each unit: ``2 + len(units)`` calls."""
    from sim.model.city import load_units

    setting = setting or settings(cfg)
    slugs = list(setting.units)
    ends = {}
    for theta in (setting.low, setting.high):
        ends[theta] = evaluate(setting, slugs, theta, workers)
        if progress is not None:
            progress(f"{setting.parameter}={theta:g}")
    units = {u.slug: u for u in load_units(cfg.city.table, cfg.city.suspect_population)}
    rows = []
    for slug in slugs:
        a, b = ends[setting.low][slug], ends[setting.high][slug]
        found = unit_break_even(setting, slug, (a, b), workers)
        u = units[slug]
        rows.append({"slug": slug, "name": u.name, "kind": u.kind, "population": u.population, **found,
                     "verdict_words": VERDICTS[found["verdict"]], "parameter": setting.parameter,
                     "low": setting.low, "high": setting.high,
                     "kpi": setting.kpi, **_end("gain_at", a.mean, a.low, a.high, "low"),
                     **_end("gain_at", b.mean, b.low, b.high, "high"),
                     **_end("change_at", a.on_time, a.on_time_low, a.on_time_high, "low"),
                     **_end("change_at", b.on_time, b.on_time_low, b.on_time_high, "high"),
                     **_end("overtime_change_at", a.overtime, a.overtime_low, a.overtime_high, "low"),
                     **_end("overtime_change_at", b.overtime, b.overtime_low, b.overtime_high, "high")})
        if progress is not None:
            progress(slug)
    return BreakEven(setting, pd.DataFrame(rows, columns=list(COLUMNS)))


def _end(prefix: str, mean: float, low: float, high: float, end: str) -> dict[str, float]:
    return {f"{prefix}_{end}": mean, f"{prefix}_{end}_ci95_low": low, f"{prefix}_{end}_ci95_high": high}
