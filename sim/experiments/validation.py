"""Validation: the scenario against every stored observation, its departments' offered load,
Little's law where the system is stable, and the units whose backlog grows without bound.

One run covers every observation: it starts on the observations' first day and ends on the last
report date, with a report date at each observation's end (``report.checkpoints``). Nothing a
later event does changes an earlier one, so the figures of an earlier report date are those a run
ending that day would give (see :func:`sim.analysis.unit_counts.report_counts`). A second run of
the same scenario to ``validate.horizon_end`` shows whether any unit's backlog keeps growing, and
gives Little's law over ``validate.little_window``, away from both ends of that run.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.analysis.intervals import mean_ci95, replication_warnings
from sim.analysis.report_figures import FIGURE_NAMES, FIGURES, Observation, simulated
from sim.analysis.scopes import SCOPES, scope_of
from sim.analysis.unit_counts import DAILY, DEPARTMENT_COUNTS, LITTLE_COUNTS, UnitResult
from sim.config.build import build_scenario, check_range
from sim.config.schema import ObservationConfig
from sim.errors import ConfigError
from sim.config.entries import entry
from sim.experiments.runner import run_scenario
from sim.model.calendar import MINUTES_PER_DAY
from sim.model.scenario import Scenario

LITTLE_NOTE = ("L: time-average number of records in the system over the window (every record, opening stock "
               "included); lambda: records arriving in the window a day; W: their mean time from arrival to "
               "leaving (result signed or given up for good), taken from the whole run, those still in the "
               "system at the horizon counted to it (censored: W is then a lower bound). In steady state "
               "L / (lambda W) tends to 1; a growing backlog, or an opening stock still draining, puts it above 1. "
               "The records in the system at the window's start and end show the drift: where they differ the "
               "system is not in steady state over the window, and the ratio moves with it.")


# --- observations as data ----------------------------------------------------------------------
def _date(text: object, key: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        raise ConfigError(key, f"{text!r} is not a valid date YYYY-MM-DD") from None


def observations_from(cfg: DictConfig) -> tuple[Observation, ...]:
    """The ``observations`` section, each entry checked; ConfigError names the first bad key."""
    section = OmegaConf.to_container(cfg.observations, resolve=True)
    if not section:
        raise ConfigError("observations", "no observations to validate against (observations=hanoi_2025, or "
                                          "+observations.NAME={figure: ..., scope: ..., period: ..., observed: ...})")
    covered = cfg.calendar.covered_years
    out = []
    for name, raw in section.items():
        key = f"observations.{name}"
        o = entry(ObservationConfig, raw, key)
        if o["figure"] not in FIGURES:
            raise ConfigError(f"{key}.figure", f"unknown figure {o['figure']!r} (figures: {', '.join(FIGURE_NAMES)})")
        if o["scope"] not in SCOPES:
            raise ConfigError(f"{key}.scope", f"unknown scope {o['scope']!r}; choose one of {', '.join(SCOPES)}")
        start = _date(o["period"]["start"], f"{key}.period.start")
        end = _date(o["period"]["end"], f"{key}.period.end")
        if end < start:
            raise ConfigError(f"{key}.period.end", f"{end} is before the period's start {start}")
        for part, day in (("start", start), ("end", end)):
            if covered is not None and day.year not in covered:
                raise ConfigError(f"{key}.period.{part}", f"{day} is outside the calendar (calendar.covered_years: "
                                                          f"{', '.join(map(str, covered))})")
        check_range(o["tolerance"], f"{key}.tolerance", 0, above=True)
        figure = FIGURES[o["figure"]]
        check_range(o["observed"], f"{key}.observed", figure.low, figure.high)
        if o["relative"] and o["observed"] == 0:
            raise ConfigError(f"{key}.relative", "a tolerance relative to an observed 0 is 0: give an absolute one "
                                                 f"({key}.relative=false)")
        out.append(Observation(name, o["figure"], o["scope"], start, end, float(o["observed"]),
                               float(o["tolerance"]), bool(o["relative"]), str(o["source"])))
    first = min(out, key=lambda o: o.start)
    for o in out:
        if o.start != first.start:
            raise ConfigError(f"observations.{o.name}.period.start",
                              f"{o.start}: every observation must start on the same day ({first.start} for "
                              f"{first.name}), the run's first day: figures count the records received from it")
    return tuple(out)


# --- the plan: what runs ---------------------------------------------------------------------
@dataclass(frozen=True)
class ValidationPlan:
    observations: tuple[Observation, ...]
    cfg: DictConfig  # the scenario, its period widened to the observations', report dates set
    scenario: Scenario
    horizon_cfg: DictConfig | None  # the same to validate.horizon_end; None: no horizon run
    horizon_scenario: Scenario | None
    stable_load: float
    little_tolerance: float
    little_censored_share: float = 0.01


def validation_plan(cfg: DictConfig) -> ValidationPlan:
    """Check the observations and the ``validate`` section, and the runs they need."""
    observations = observations_from(cfg)
    build_scenario(cfg)  # the composed scenario itself, before its period is widened
    run = covering(cfg, observations)
    end = _date(run.period.end, "period.end")
    start = observations[0].start
    v = cfg.validate
    check_range(v.stable_load, "validate.stable_load", 0, above=True)
    check_range(v.little_tolerance, "validate.little_tolerance", 0, 1, above=True)
    check_range(v.little_censored_share, "validate.little_censored_share", 0, 1)
    horizon_cfg = horizon_scenario = None
    if v.horizon_end:
        horizon_end = _date(v.horizon_end, "validate.horizon_end")
        if horizon_end <= end:
            raise ConfigError("validate.horizon_end", f"{horizon_end} is not after the validation period's end {end} "
                                                      "(validate.horizon_end='' runs no horizon check)")
        horizon_cfg = _with_period(cfg, start, horizon_end, [])
        horizon_scenario = replace(_built(horizon_cfg, "validate.horizon_end"),
                                   little_window=little_window(v.little_window, start, horizon_end))
    return ValidationPlan(observations, run, _built(run, "observations"), horizon_cfg, horizon_scenario,
                          float(v.stable_load), float(v.little_tolerance), float(v.little_censored_share))


def little_window(items: object, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """``validate.little_window``: its first and last day, inside the horizon run's period."""
    key = "validate.little_window"
    days = list(items) if items is not None else []
    if len(days) != 2:
        raise ConfigError(key, f"{days!r}: give two dates [first, last], e.g. [2025-09-01, 2025-10-31]")
    first, last = _date(days[0], f"{key}[0]"), _date(days[1], f"{key}[1]")
    if last < first:
        raise ConfigError(f"{key}[1]", f"{last} is before the window's first day {first}")
    if first < start or last > end:
        raise ConfigError(key, f"{first} to {last} is not inside the horizon run's period {start} to {end} "
                               "(validate.horizon_end)")
    return first, last


def covering(cfg: DictConfig, observations: tuple[Observation, ...]) -> DictConfig:
    """``cfg`` with its period widened to cover every observation and a report date at each one's
    end: the run whose results :func:`sim.analysis.report_figures.simulated` reads them from."""
    start = min(_date(cfg.period.start, "period.start"), observations[0].start)
    if observations[0].start != start:
        raise ConfigError(f"observations.{observations[0].name}.period.start",
                          f"{observations[0].start} is after period.start {start}: the run's records from "
                          f"{start} would count; set period.start={observations[0].start}")
    end = max([_date(cfg.period.end, "period.end")] + [o.end for o in observations])
    return _with_period(cfg, start, end, sorted({o.end.isoformat() for o in observations}))


def _with_period(cfg: DictConfig, start: dt.date, end: dt.date, checkpoints: list[str]) -> DictConfig:
    out = cfg.copy()
    OmegaConf.update(out, "period.start", start.isoformat(), merge=False)
    OmegaConf.update(out, "period.end", end.isoformat(), merge=False)
    OmegaConf.update(out, "report.checkpoints", checkpoints, merge=False)
    return out


def _built(cfg: DictConfig, key: str) -> Scenario:
    """The scenario of a widened period; a period key it refuses is named as the setting that widened it."""
    try:
        return build_scenario(cfg)
    except ConfigError as exc:
        if exc.key.startswith("period."):
            raise ConfigError(key, f"the period {cfg.period.start} to {cfg.period.end} it needs: {exc.problem}") from None
        raise


# --- results ---------------------------------------------------------------------------------
@dataclass
class Validation:
    plan: ValidationPlan
    observations: pd.DataFrame  # one row per observation
    loads: pd.DataFrame  # one row per unit and department
    little: pd.DataFrame | None  # one row per unit (horizon run), None without one
    growth: pd.DataFrame | None  # one row per unit (horizon run), None without one
    warnings: list[str] = field(default_factory=list)


def run_validation(plan: ValidationPlan, progress: bool = False) -> Validation:
    results = run_scenario(plan.scenario, progress=progress)
    loads = offered_loads(plan.scenario, results)
    warnings = replication_warnings(plan.scenario.replications)
    warnings += [f"{r.slug} {r.department}: offered load {r.offered_load:.2f} > 1 (work arrives faster than its staff "
                 "can do it: its backlog grows)" for r in loads[loads["offered_load"] > 1].itertuples()]
    scopes = {scope_of(p.unit.kind) for p in plan.scenario.units}
    if "centre" not in scopes:
        warnings.append("the run has no node of kind centre: scope all is the units alone, and observations of "
                        "scope centre have no simulated value")
    growth = little = None
    if plan.horizon_scenario is not None:
        horizon = run_scenario(plan.horizon_scenario, progress=progress)
        horizon_loads = offered_loads(plan.horizon_scenario, horizon)
        growth = backlog_growth(plan.horizon_scenario, horizon, horizon_loads)
        growing = growth[growth["grows"]]
        warnings += [f"{r.slug}: backlog grows without bound to {plan.horizon_scenario.end} ({r.slope_per_day:+.1f} "
                     f"records a day over the second half; {r.department} offered load {r.max_load:.2f})"
                     for r in growing.itertuples()]
        little = littles_law(plan.horizon_scenario, horizon, horizon_loads, plan.stable_load, plan.little_tolerance)
        warnings += little_warnings(little, plan)
    return Validation(plan, observation_table(plan, results), loads, little, growth, warnings)


def observation_table(plan: ValidationPlan, results: list[list[UnitResult]]) -> pd.DataFrame:
    rows = []
    for o in plan.observations:
        figure = FIGURES[o.figure]
        ci = mean_ci95(simulated(o, results, plan.scenario), figure.low, figure.high)
        error = o.error(ci["mean"]) if ci["mean"] is not None else math.nan
        rows.append({"observation": o.name, "figure": o.figure, "unit": figure.unit, "scope": o.scope,
                     "start": o.start.isoformat(), "end": o.end.isoformat(), "observed": o.observed,
                     "simulated": ci["mean"], "ci95_low": ci["ci95_low"], "ci95_high": ci["ci95_high"],
                     "tolerance": o.absolute_tolerance, "error_in_tolerances": error,
                     "within_tolerance": bool(abs(error) <= 1) if not math.isnan(error) else None,
                     "source": o.source})
    return pd.DataFrame(rows)


def offered_loads(scenario: Scenario, results: list[list[UnitResult]]) -> pd.DataFrame:
    """Per unit and department: work arrived (staff minutes of the records that reached it) over
    its staff's session minutes, mean over replications with its 95 % interval."""
    arrived, capacity = DEPARTMENT_COUNTS.index("effort_arrived"), DEPARTMENT_COUNTS.index("staff_capacity")
    rows = []
    for position, plan in enumerate(scenario.units):
        for d, name in enumerate(plan.organisation.structure.department_names):
            per_rep = [rep[position].departments[d] for rep in results]
            loads = [row[arrived] / row[capacity] if row[capacity] > 0 else math.inf for row in per_rep]
            ci = mean_ci95(loads, 0, math.inf)
            rows.append({"slug": plan.unit.slug, "kind": plan.unit.kind, "scope": scope_of(plan.unit.kind),
                         "department": name, "staff": plan.organisation.staff[d], "offered_load": ci["mean"],
                         "ci95_low": ci["ci95_low"], "ci95_high": ci["ci95_high"]})
    return pd.DataFrame(rows)


def _stable(loads: pd.DataFrame, slug: str, limit: float) -> bool:
    """Every department of the unit below ``limit``: its interval's top, or its mean without one."""
    own = loads[loads["slug"] == slug]
    top = own["ci95_high"].where(own["ci95_high"].notna(), own["offered_load"])
    return bool((top < limit).all())


def littles_law(scenario: Scenario, results: list[list[UnitResult]], loads: pd.DataFrame, stable_load: float,
                tolerance: float) -> pd.DataFrame:
    """Per unit, over ``scenario.little_window`` (:func:`sim.analysis.unit_counts.little_counts`):
    L, lambda (a day), W (days) and the ratio L / (lambda W), means over replications, the ratio
    with its 95 % interval; the share of the window's arrivals censored at the horizon; checked
    (``within_tolerance``: the mean ratio within ``tolerance`` of 1) only where the unit is stable
    (every department's offered load over the run below ``stable_load``)."""
    c = {name: k for k, name in enumerate(LITTLE_COUNTS)}
    first, last = scenario.little_window
    rows = []
    for position, plan in enumerate(scenario.units):
        counts = np.array([rep[position].little for rep in results])
        days = counts[:, c["window_minutes"]] / MINUTES_PER_DAY
        arrived, sojourn = counts[:, c["arrived"]], counts[:, c["sojourn_minutes"]]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_l = counts[:, c["presence_minutes"]] / counts[:, c["window_minutes"]]
            w = sojourn / arrived / MINUTES_PER_DAY
            ratios = np.where(sojourn > 0, counts[:, c["presence_minutes"]] / sojourn, math.nan)
        ci = mean_ci95(list(ratios), 0, math.inf)
        stable = _stable(loads, plan.unit.slug, stable_load)
        holds = bool(abs(ci["mean"] - 1) <= tolerance) if stable and ci["mean"] is not None else None
        rows.append({"slug": plan.unit.slug, "kind": plan.unit.kind, "window_start": first.isoformat(),
                     "window_end": last.isoformat(), "stable": stable,
                     "max_load": float(loads.loc[loads["slug"] == plan.unit.slug, "offered_load"].max()),
                     "mean_in_system": float(np.mean(mean_l)), "arrivals_per_day": float(np.mean(arrived / days)),
                     "mean_time_in_system_days": float(np.nanmean(w)) if arrived.sum() > 0 else math.nan,
                     "ratio": ci["mean"], "ci95_low": ci["ci95_low"], "ci95_high": ci["ci95_high"],
                     "within_tolerance": holds, "in_system_start": float(counts[:, c["in_system_start"]].mean()),
                     "in_system_end": float(counts[:, c["in_system_end"]].mean()),
                     "censored": float(counts[:, c["censored"]].mean()),
                     "censored_share": float(counts[:, c["censored"]].sum() / arrived.sum()) if arrived.sum() else 0.0})
    return pd.DataFrame(rows)


def little_warnings(little: pd.DataFrame, plan: ValidationPlan) -> list[str]:
    """A stable unit outside the tolerance, and a unit whose W is biased by records censored at the horizon."""
    window = f"{little['window_start'].iloc[0]} to {little['window_end'].iloc[0]}" if len(little) else ""
    out = [f"{r.slug}: Little's law L / (lambda W) = {r.ratio:.3f} over {window}, outside ±{plan.little_tolerance:.0%} "
           f"although every department's offered load is below {plan.stable_load:g} (records in the system: "
           f"{r.in_system_start:.0f} at the window's start, {r.in_system_end:.0f} at its end)"
           for r in little[little["within_tolerance"] == False].itertuples()]  # noqa: E712 (None: not checked)
    censored = little[little["censored_share"] > plan.little_censored_share]
    if len(censored):  # one line: with long paper waits it can be most units
        worst = censored.loc[censored["censored_share"].idxmax()]
        out.append(f"{len(censored)} of {len(little)} units have more than {plan.little_censored_share:.0%} of the "
                   f"records arriving {window} still in the system at {plan.horizon_scenario.end} (most: "
                   f"{worst['slug']}, {worst['censored_share']:.1%}): their time in system counts to it, so W is "
                   "low and the ratio high (littles_law.csv, censored_share)")
    return out


def second_half_slope(series: np.ndarray) -> float:
    """Least-squares slope (per day) of the second half of a daily series."""
    y = np.asarray(series, dtype=float)[len(series) // 2:]
    if len(y) < 2:
        return math.nan
    return float(np.polyfit(np.arange(len(y)), y, 1)[0])


def backlog_growth(scenario: Scenario, results: list[list[UnitResult]], loads: pd.DataFrame) -> pd.DataFrame:
    """Per unit: the slope of its daily records in process over the second half of the run, mean
    over replications with its 95 % interval, and its busiest department's offered load. A unit's
    backlog grows without bound when the slope's interval lies above 0 and a department's load is
    at least 1 (with one replication there is no interval: the slope's sign is taken)."""
    column = DAILY.index("in_process")
    rows = []
    for position, plan in enumerate(scenario.units):
        ci = mean_ci95([second_half_slope(rep[position].daily[:, column]) for rep in results])
        own = loads[loads["slug"] == plan.unit.slug]
        busiest = own.loc[own["offered_load"].idxmax()]
        rising = (ci["ci95_low"] > 0) if ci["ci95_low"] is not None else (ci["mean"] or 0) > 0
        rows.append({"slug": plan.unit.slug, "kind": plan.unit.kind, "slope_per_day": ci["mean"],
                     "ci95_low": ci["ci95_low"], "ci95_high": ci["ci95_high"],
                     "in_process_end": float(np.mean([rep[position].daily[-1, column] for rep in results])),
                     "department": busiest["department"], "max_load": float(busiest["offered_load"]),
                     "grows": bool(rising and busiest["offered_load"] >= 1)})
    return pd.DataFrame(rows)
