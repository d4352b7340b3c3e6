"""What each unit needs: the fewest counters (per counter group) and processing officers (per
department) that meet the targets of ``cfg.recommend``, with a stated probability.

Two steps. **Screening** (no simulation): per counter group the smallest c whose Erlang C (M/M/c)
90th percentile of the wait in the unit's busiest hour is at most the wait target, per department
the fewest officers whose expected offered load is at most ``recommend.screen_load``. **Deciding
by simulation**: each unit's candidate and the candidate minus one of each resource are simulated
on the same replications (common random numbers: replication k of every candidate draws the same
citizens and records); a candidate is *accepted* when, for every target, a one-sided normal
tolerance bound over its replications says that one period's KPI meets the target with probability
at least ``recommend.confidence`` (with confidence ``recommend.decision_confidence``); *rejected*
when the opposite bound says it does not, or when ``recommend.max_replications`` leave it
undecided; otherwise more replications are run. A rejected candidate gets one more counter and/or
officer where its results say it falls short; an accepted one gives up a resource whose removal
is also accepted, until no single removal is.

Units are independent nodes (a unit's records depend only on its own plan and its own random
streams, keyed by the unit's row in the city table, :mod:`sim.engines.streams`), so one
simulation batch holds every open candidate of every unit, the same unit several times over.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from omegaconf import DictConfig, OmegaConf

from sim.analysis.kpis import department_kpis, unit_kpis, wait_quantile
from sim.analysis.offered_load import session_minutes_per_day, unit_loads
from sim.experiments.runner import calendar_for
from sim.analysis.queueing import erlang_c_wait_quantile, servers_for_wait_quantile
from sim.analysis.unit_counts import DEPARTMENT_COUNTS
from sim.config.build import build_scenario
from sim.errors import ConfigError
from sim.model.city import CENTRE_KIND
from sim.model.scenario import Scenario, UnitPlan
from sim.model.unit_plan import PlanBuilder

WAIT_QUANTILE = 0.9  # desk_wait_p90_min is the 90th percentile
# target name -> (the per-replication value tested, "max": at most the target / "min": at least)
TARGETS = {
    "desk_wait_p90_min": ("desk_wait_p90_min", "max"),
    "on_time_of_received_pct": ("on_time_of_received_pct", "min"),
    "backlog_growth": ("department_load_max", "max"),  # "none": every department's offered load <= 1
    "overtime_hours_per_officer_week": ("overtime_hours_per_officer_week", "max"),
}
BACKLOG_CHOICES = ("none",)  # backlog_growth: "none" (or null: no target)
KEEPS_UP = 1.0  # backlog_growth=none: a department's simulated offered load at most this


@dataclass(frozen=True)
class RecommendSpec:
    targets: dict[str, float]  # target name -> value (backlog_growth: KEEPS_UP)
    confidence: float
    decision_confidence: float
    screen_load: float
    replications: int
    max_replications: int
    max_rounds: int
    max_desks: int
    max_staff: int
    step_share: float = 0.0
    reach_factor: float = 3.0


def _number(value: Any, key: str, low: float, high: float, whole: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(key, f"must be a number, got {value!r}")
    if not math.isfinite(value) or not low <= value <= high:
        raise ConfigError(key, f"must be in [{low}, {high}], got {value!r}")
    if whole and value != int(value):
        raise ConfigError(key, f"must be a whole number, got {value!r}")
    return value


def recommend_spec(cfg: DictConfig) -> RecommendSpec:
    """The validated settings of ``cfg.recommend``; ConfigError names the key of a bad one."""
    r = OmegaConf.to_container(cfg.recommend, resolve=True)
    targets = {}
    for name, value in (r["targets"] or {}).items():
        key = f"recommend.targets.{name}"
        if name not in TARGETS:
            raise ConfigError(key, f"unknown target (the targets: {', '.join(TARGETS)})")
        if value is None:
            continue
        if name == "backlog_growth":
            if value not in BACKLOG_CHOICES:
                raise ConfigError(key, f"must be one of {', '.join(BACKLOG_CHOICES)} or null, got {value!r}")
            targets[name] = KEEPS_UP
        elif name == "on_time_of_received_pct":
            targets[name] = float(_number(value, key, 0, 100))
        else:
            targets[name] = float(_number(value, key, 0, 1e6))
    if not targets:
        raise ConfigError("recommend.targets", "no target set: nothing to staff for")
    for key in ("confidence", "decision_confidence", "screen_load"):
        _number(r[key], f"recommend.{key}", 0, 1)
        if r[key] <= 0 or (r[key] >= 1 and key != "screen_load"):  # a probability of 1 needs infinitely many replications
            raise ConfigError(f"recommend.{key}", f"must be above 0 and below 1{' (or 1)' if key == 'screen_load' else ''}, "
                                                  f"got {r[key]!r}")
    for key, low, high in (("replications", 2, 1000), ("max_replications", 2, 1000), ("max_rounds", 1, 1000),
                           ("max_desks", 1, 10_000), ("max_staff", 1, 100_000)):
        _number(r[key], f"recommend.{key}", low, high, whole=True)
    if r["max_replications"] < r["replications"]:
        raise ConfigError("recommend.max_replications", f"{r['max_replications']} is below recommend.replications "
                                                        f"{r['replications']}")
    _number(r["step_share"], "recommend.step_share", 0, 1)
    _number(r["reach_factor"], "recommend.reach_factor", 1.5, 100)
    _number(r["plan_min_population"], "recommend.plan_min_population", 0, 1e8)
    return RecommendSpec(targets, float(r["confidence"]), float(r["decision_confidence"]), float(r["screen_load"]),
                         int(r["replications"]), int(r["max_replications"]), int(r["max_rounds"]),
                         int(r["max_desks"]), int(r["max_staff"]), float(r["step_share"]), float(r["reach_factor"]))


# --- resources of a unit -----------------------------------------------------------------------
@dataclass(frozen=True)
class Resource:
    kind: str  # "counters" or "officers"
    name: str  # counter group ("all": pooled) or department
    floor: int
    ceiling: int


@dataclass
class Planner:
    """How a resource vector (counters per group, then officers per department) becomes a unit's
    plan: by the scenario's own plan builder (:class:`sim.model.unit_plan.PlanBuilder`), the one
    ``sim.config.build`` made the run's plans with from ``desks.per_unit``, ``desks.groups.per_unit``
    and ``staff.per_unit`` (or ``centre.branches.*``)."""

    scenario: Scenario
    spec: RecommendSpec
    min_staff: int

    @classmethod
    def of(cls, cfg: DictConfig, scenario: Scenario, spec: RecommendSpec) -> "Planner":
        return cls(scenario, spec, max(1, int(cfg.staff.min_per_department)))

    @property
    def builder(self) -> PlanBuilder:
        if self.scenario.plan_builder is None:
            raise ValueError("the scenario was not built by sim.config.build: it has no plan builder")
        return self.scenario.plan_builder

    @property
    def grouped(self) -> bool:
        return bool(self.scenario.procedure_desk_group)

    def per_group(self, plan: UnitPlan) -> bool:
        """Counters are chosen per group (groups on, and not a Centre branch: a branch's counters
        are one total that the split rule spreads over the groups, as for centre.branches.*.desks)."""
        return self.grouped and plan.unit.kind != CENTRE_KIND

    def resources(self, plan: UnitPlan) -> list[Resource]:
        if self.per_group(plan):
            # A group may have no counter of its own: any free counter serves a line that has none
            # (fewest means fewest). One counter stays, at the group with the most today.
            counts = plan.desk_plan.counts
            kept = max(range(len(counts)), key=lambda g: (counts[g], -g))
            out = [Resource("counters", g, 1 if k == kept else 0, self.spec.max_desks)
                   for k, g in enumerate(self.scenario.desk_policy.groups)]
        else:
            out = [Resource("counters", "all", 1, self.spec.max_desks)]
        if self.scenario.back_office.enabled:
            out += [Resource("officers", d, self.min_staff, self.spec.max_staff)
                    for d in plan.organisation.structure.department_names]
        return out

    def current(self, plan: UnitPlan) -> tuple[int, ...]:
        desks = tuple(plan.desk_plan.counts) if self.per_group(plan) else (plan.desks,)
        return desks + (tuple(plan.staff) if self.scenario.back_office.enabled else ())

    def apply(self, plan: UnitPlan, vector: tuple[int, ...]) -> UnitPlan:
        """``plan`` at the vector's counts (a Centre branch's one total is split over the counter
        groups by the rule, as a run of it would be), made by the scenario's plan builder."""
        n_desk = len(self.scenario.desk_policy.groups) if self.per_group(plan) else 1
        desks, staff = vector[:n_desk], vector[n_desk:]
        return self.builder.replan(plan, officers=staff or None,
                                   counters=tuple(desks) if self.per_group(plan) else int(desks[0]))


# --- screening ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Screen:
    vector: tuple[int, ...]
    busiest_hour_arrivals: tuple[float, ...]  # in-person arrivals an hour per counter group, busiest hour
    desk_minutes: tuple[float, ...]  # mean desk minutes a citizen of the group takes (other duties included)
    erlang_p90_min: tuple[float, ...]  # the M/M/c 90th percentile wait at the screened counters
    screen_loads: tuple[float, ...]  # each department's expected offered load at the screened officers


def busiest_rate(scenario: Scenario, plan: UnitPlan, calendar) -> float:
    """The unit's expected in-person arrivals a minute in its busiest clock hour."""
    from sim.engines.workload import IN_PERSON, in_person_expected

    share = scenario.mixes[plan.unit.kind].channel_share()[IN_PERSON]
    _, lengths, expected = in_person_expected(scenario, calendar, plan.records_per_day * share)
    full = lengths > 0
    return float(np.max(expected[full] / lengths[full])) if full.any() else 0.0


def screen(planner: Planner, minutes_per_day: float, calendar) -> list[Screen]:
    """Each unit's starting candidate from queueing approximations (see the module's docstring)."""
    from sim.engines.workload import IN_PERSON

    scenario, spec = planner.scenario, planner.spec
    target = spec.targets.get("desk_wait_p90_min")
    duty = 1 / (1 - scenario.desk_policy.other_duties_share)
    out = []
    for plan in scenario.units:
        rate = busiest_rate(scenario, plan, calendar)
        given = scenario.mixes[plan.unit.kind].procedure_given_channel(IN_PERSON)
        minutes = np.array([p.desk_minutes.mean for p in scenario.procedures]) * duty
        if planner.per_group(plan):
            groups = np.asarray(scenario.procedure_desk_group)
            shares = [float(given[groups == g].sum()) for g in range(len(scenario.desk_policy.groups))]
            means = [float((given * minutes)[groups == g].sum() / s) if s > 0 else 0.0 for g, s in enumerate(shares)]
        else:
            shares, means = [1.0], [float((given * minutes).sum())]
        rates = [rate * s for s in shares]
        if target is None:
            counters = list(planner.current(plan)[:len(shares)])
        else:
            counters = [max(1, servers_for_wait_quantile(lam, mean, target, WAIT_QUANTILE, spec.max_desks))
                        if lam > 0 else 1 for lam, mean in zip(rates, means)]
        counters = [min(c, spec.max_desks) for c in counters]
        staff, loads = [], []
        if scenario.back_office.enabled:
            for load in unit_loads(scenario, plan, minutes_per_day):
                n = max(planner.min_staff, math.ceil(load.work_minutes_per_day / (spec.screen_load * minutes_per_day) - 1e-9))
                n = min(n, spec.max_staff)
                staff.append(n)
                loads.append(load.work_minutes_per_day / (n * minutes_per_day))
        p90 = tuple(erlang_c_wait_quantile(lam, mean, c, WAIT_QUANTILE) if lam > 0 else 0.0
                    for lam, mean, c in zip(rates, means, counters))
        out.append(Screen(tuple(counters) + tuple(staff), tuple(60 * r for r in rates), tuple(means), p90, tuple(loads)))
    return out


# --- one replication of one candidate, reduced --------------------------------------------------
def replication_values(result, plan: UnitPlan, per_group: bool, groups: int) -> dict[str, Any]:
    """What the decision and the report need of one unit-replication: every unit KPI, the tested
    values, and per group / department what says where a unit falls short."""
    values = unit_kpis(result)
    departments = [department_kpis(row) for row in result.departments]
    loads = [d["offered_load"] for d in departments]
    values["department_load_max"] = float(np.nanmax(loads)) if loads and not all(np.isnan(loads)) else 0.0
    late = DEPARTMENT_COUNTS.index("processed"), DEPARTMENT_COUNTS.index("processed_on_time")
    overdue = DEPARTMENT_COUNTS.index("in_process_overdue")
    values["_department_overdue"] = [float(row[late[0]] - row[late[1]] + row[overdue]) for row in result.departments]
    values["_department_load"] = [0.0 if np.isnan(x) else float(x) for x in loads]
    values["_department_overtime"] = [0.0 if np.isnan(d["overtime_hours_per_officer_week"]) else
                                      float(d["overtime_hours_per_officer_week"]) for d in departments]
    if per_group:
        values["_group_p90"] = [wait_quantile(result.waits[result.wait_groups == g].astype(float), WAIT_QUANTILE)
                                for g in range(groups)]
    else:
        values["_group_p90"] = [values["desk_wait_p90_min"]]
    return values


@functools.lru_cache(maxsize=None)
def _tolerance_factor(n: int, coverage: float, confidence: float) -> float:
    """k of the one-sided normal tolerance bound mean + k s: with probability ``confidence`` at
    least a share ``coverage`` of the population lies below it (noncentral t). Cached: a search asks
    for the same few (n, coverage, confidence) thousands of times, and scipy's noncentral t
    quantile was 3 % of a recommendation's time."""
    from scipy.stats import nct, norm

    return float(nct.ppf(confidence, n - 1, norm.ppf(coverage) * math.sqrt(n)) / math.sqrt(n))


ACCEPTED, REJECTED, OPEN = "accepted", "rejected", "open"


def target_verdict(values: list[float], target: float, sense: str, spec: RecommendSpec) -> str:
    """Whether one period's value meets the target with probability ``spec.confidence``: accepted,
    rejected, or open (more replications would tell); nan values (nobody served) are left out."""
    x = np.array([v for v in values if not math.isnan(v)], dtype=float)
    if sense == "min":
        x, target = -x, -target
    n = len(x)
    if n == 0:
        return ACCEPTED
    m = x.mean()
    s = x.std(ddof=1) if n > 1 else math.inf
    if s == 0:
        return ACCEPTED if m <= target + 1e-9 else REJECTED
    if n < 2:
        return OPEN
    upper = m + _tolerance_factor(n, spec.confidence, spec.decision_confidence) * s
    lower = m + _tolerance_factor(n, spec.confidence, 1 - spec.decision_confidence) * s
    if upper <= target:
        return ACCEPTED
    if lower > target:
        return REJECTED
    return OPEN


def candidate_verdict(reps: list[dict], spec: RecommendSpec) -> tuple[str, dict[str, str]]:
    """Every target's verdict, and the candidate's: accepted when all are, rejected when one is
    (or when the replications run out with one still open), else open."""
    each = {name: target_verdict([r[TARGETS[name][0]] for r in reps], value, TARGETS[name][1], spec)
            for name, value in spec.targets.items()}
    if all(v == ACCEPTED for v in each.values()):
        return ACCEPTED, each
    if any(v == REJECTED for v in each.values()) or len(reps) >= spec.max_replications:
        return REJECTED, each
    return OPEN, each


def met_share(values: list[float], target: float, sense: str) -> float:
    """The share of replications whose value meets the target (the estimated probability)."""
    x = np.array([v for v in values if not math.isnan(v)], dtype=float)
    if len(x) == 0:
        return 1.0
    return float(np.mean(x <= target + 1e-9) if sense == "max" else np.mean(x >= target - 1e-9))


# --- the search --------------------------------------------------------------------------------
@dataclass
class UnitSearch:
    position: int
    resources: list[Resource]
    current: tuple[int, ...]
    screened: tuple[int, ...]
    x: tuple[int, ...]
    finished: bool = False
    outcome: str = ""  # "minimal", "at ceiling", "rounds ran out"
    done: set[int] = field(default_factory=set)  # resources whose removal from x is known to fail
    rejected: list[tuple[int, ...]] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    before_step: tuple[int, ...] | None = None  # the rejected candidate the last step up came from
    out_of_reach: tuple[str, ...] = ()  # targets one more resource did not bring closer, or the reach probe missed
    probe: tuple[int, ...] | None = None  # every count times recommend.reach_factor, run after two steps up

    def probe_due(self) -> bool:
        """Two steps up have not met the targets yet: time to try the reach probe."""
        return self.probe is None and sum(step.startswith("+") for step in self.steps) >= 2

    def probe_vector(self, factor: float) -> tuple[int, ...]:
        return tuple(min(r.ceiling, max(v + 1, math.ceil(factor * v))) for v, r in zip(self.x, self.resources))

    def below(self, r: int) -> tuple[int, ...] | None:
        if self.x[r] - 1 < self.resources[r].floor:
            return None
        return self.x[:r] + (self.x[r] - 1,) + self.x[r + 1:]

    def known_bad(self, v: tuple[int, ...]) -> bool:
        """Fewer of everything than a rejected candidate is rejected too (more never hurts: assumption)."""
        return any(all(a <= b for a, b in zip(v, bad)) for bad in self.rejected)


@dataclass
class Recommendation:
    scenario: Scenario
    spec: RecommendSpec
    searches: list[UnitSearch]
    screens: list[Screen]
    results: dict[tuple[int, tuple[int, ...]], list[dict]]  # (position, vector) -> per-replication values
    timing: dict[str, float]
    simulated: int  # unit-replications simulated
    rounds: int
    round_log: list[dict] = field(default_factory=list)  # per round: candidates, unit-replications, seconds, open units
    provenance: dict = field(default_factory=dict)  # simulator version and config hash (sim.config.provenance)
    basis: dict = field(default_factory=dict)  # what it rests on: rests_on, officers_today (sim.analysis.assumptions)
    ensemble: dict = field(default_factory=dict)  # over an ensemble: EnsembleRecommendation.summary()

    def reps(self, search: UnitSearch, vector: tuple[int, ...]) -> list[dict]:
        return self.results.get((search.position, vector), [])


def _simulate(scenario: Scenario, tasks: list[tuple[UnitPlan, int]], workers: int | None,
              done: Callable[[int], None] | None = None) -> list:
    """Simulate each (plan, replication) task; plans may repeat a unit (its own random streams).
    ``done(n)`` is told as tasks finish (a progress bar)."""
    from sim.experiments.runner import _run_batch, run_tasks, worker_count

    batch = dataclasses.replace(scenario, units=tuple(plan for plan, _ in tasks), replications=1)
    jobs = [(rep, k) for k, (_, rep) in enumerate(tasks)]
    n_workers = worker_count(scenario.workers if workers is None else workers)
    out: list = []

    def keep(results: list) -> None:
        out.extend(results)
        if done is not None:
            done(len(results))

    if n_workers == 1 or len(jobs) < 4:
        for job in jobs:  # one at a time: the same results as one batch, each task's streams its own
            keep(_run_batch(batch, [job]))
        return out
    order = sorted(jobs, key=lambda job: -batch.units[job[1]].records_per_day)
    run_tasks(batch, order, n_workers, keep)  # where the scenario says: local processes or a cluster
    return out


def _step_up(search: UnitSearch, reps: list[dict], verdicts: dict[str, str],
             step_share: float = 0.0) -> tuple[int, ...] | None:
    """More counters (of the slowest group) and/or officers (of the department that falls
    shortest) where a rejected candidate misses its targets: one, or ``step_share`` of the count
    if that is more (large departments); None at the ceilings."""
    failing = {name for name, v in verdicts.items() if v != ACCEPTED}

    def mean(key: str) -> np.ndarray:
        """Mean over the replications, per group or department; nan where none has a value (a
        counter group nobody queued at), without numpy's warning for it."""
        values = np.array([r[key] for r in reps], dtype=float)
        seen = (~np.isnan(values)).sum(axis=0)
        return np.where(seen > 0, np.nansum(values, axis=0) / np.maximum(seen, 1), np.nan)

    desk_rs = [k for k, r in enumerate(search.resources) if r.kind == "counters"]
    staff_rs = [k for k, r in enumerate(search.resources) if r.kind == "officers"]
    add: set[int] = set()

    def worst(rs: list[int], scores) -> int | None:
        open_rs = [(s, -k, k) for k, s in zip(rs, scores) if search.x[k] < search.resources[k].ceiling]
        return max(open_rs)[2] if open_rs else None

    group_p90 = np.nan_to_num(mean("_group_p90"), nan=0.0)
    if "desk_wait_p90_min" in failing:
        add.add(worst(desk_rs, group_p90))
    if staff_rs:
        if "backlog_growth" in failing:
            add.add(worst(staff_rs, mean("_department_load")))
        if "overtime_hours_per_officer_week" in failing:
            add.add(worst(staff_rs, mean("_department_overtime")))
        if "on_time_of_received_pct" in failing:
            overdue = mean("_department_overdue")
            if overdue.sum() >= np.nanmean([r["abandoned"] for r in reps]):
                add.add(worst(staff_rs, overdue))
            else:  # citizens giving up at the desk cost more on-time share than late records
                add.add(worst(desk_rs, group_p90))
    elif "on_time_of_received_pct" in failing:
        add.add(worst(desk_rs, group_p90))
    add.discard(None)
    if not add:
        return None
    return tuple(min(search.resources[k].ceiling, v + max(1, math.floor(step_share * v))) if k in add else v
                 for k, v in enumerate(search.x))


def starting_vector(planner: Planner, plan: UnitPlan, screened: Screen) -> tuple[int, ...]:
    """Where a unit's search starts: the screen's counts within the floors and ceilings; but when
    today's counters, pooled, already meet the wait target by Erlang C at the busiest hour, the
    counters start from today's (a counter group may have none: any free counter serves its line),
    so a unit whose counters suffice keeps them or loses some (fewest means fewest)."""
    resources, current = planner.resources(plan), planner.current(plan)
    start = [min(max(v, r.floor), r.ceiling) for v, r in zip(screened.vector, resources)]
    target = planner.spec.targets.get("desk_wait_p90_min")
    counters = [k for k, r in enumerate(resources) if r.kind == "counters"]
    rates = [a / 60 for a in screened.busiest_hour_arrivals]
    lam = sum(rates)
    if target is None or lam <= 0:
        return tuple(start)
    mean = sum(r * m for r, m in zip(rates, screened.desk_minutes)) / lam
    today = sum(current[k] for k in counters)
    if today < sum(start[k] for k in counters) and erlang_c_wait_quantile(lam, mean, today, WAIT_QUANTILE) <= target:
        for k in counters:
            start[k] = max(current[k], resources[k].floor)
    return tuple(start)


@dataclass(frozen=True)
class WarmStart:
    """Where a unit's search may start instead of the screen: another search's answer (the
    previous ensemble member's, :func:`sim.experiments.over_ensemble.recommend_over_ensemble`),
    and whether that one ended out of reach (then the reach probe runs in the first round instead
    of after two steps up). The search's rules are unchanged: from here it steps up while rejected
    and down while a removal is accepted, so it still ends at counts that are accepted and from
    which no single removal is."""

    vector: tuple[int, ...]
    out_of_reach: bool = False
    # per department, the expected staff minutes a day at ``vector`` in the member it came from:
    # where the next member has more work there, its officers start scaled up by the ratio
    work: tuple[float, ...] = ()


def warm_starts(rec: "Recommendation") -> dict[str, WarmStart]:
    """Slug -> where a next, similar search (the next member) may start: the counts of every unit
    that settled (minimal or out of reach), with their expected work per department; units that hit
    a ceiling or ran out of rounds start cold."""
    planner, minutes = Planner(rec.scenario, rec.spec, 1), session_minutes_per_day(rec.scenario)
    out = {}
    for s in rec.searches:
        if s.outcome in ("minimal", "out of reach"):
            plan = rec.scenario.units[s.position]
            work = (tuple(load.work_minutes_per_day for load in unit_loads(rec.scenario, planner.apply(plan, s.x), minutes))
                    if rec.scenario.back_office.enabled else ())
            out[plan.unit.slug] = WarmStart(s.x, s.outcome == "out of reach", work)
    return out


def warm_vector(planner: Planner, plan: UnitPlan, resources: list[Resource], warm: WarmStart,
                minutes_per_day: float) -> tuple[int, ...]:
    """Where a warm-started search begins: the other member's counts within the floors and
    ceilings; where this member's expected work would put a department above both the load the
    other member's answer had there and ``recommend.screen_load``, its officers are raised to the
    fewest that keep it within the larger of the two (never lowered). A start at or above the answer
    only steps down, and a step down is the search's safe move: stepping up from below, a step that
    does not measurably help ends the unit as out of reach. A small department with slack is not
    raised (one officer more would be a step down to take back)."""
    x = [min(max(v, r.floor), r.ceiling) for v, r in zip(warm.vector, resources)]
    officers = [k for k, r in enumerate(resources) if r.kind == "officers"]
    if officers and len(warm.work) == len(officers) and minutes_per_day > 0:
        loads = unit_loads(planner.scenario, planner.apply(plan, tuple(x)), minutes_per_day)
        for k, before, load in zip(officers, warm.work, loads):
            allowed = max(before / (x[k] * minutes_per_day), planner.spec.screen_load)
            if load.work_minutes_per_day > allowed * x[k] * minutes_per_day:
                needed = math.ceil(load.work_minutes_per_day / (allowed * minutes_per_day) - 1e-9)
                x[k] = min(resources[k].ceiling, max(x[k], needed))
    return tuple(x)


def recommend(cfg: DictConfig, workers: int | None = None, progress=None,
              start: dict[str, WarmStart] | None = None) -> Recommendation:
    """Screen every unit of ``cfg`` and decide by simulation (see the module's docstring).
    ``progress`` (a :class:`sim.experiments.progress.RoundsBar`) is told when each round of
    simulation starts, as its unit-replications finish, and how many units are still open after it.
    ``start`` (slug -> :class:`WarmStart`, see :func:`warm_starts`) starts those units' searches
    there instead of at the screen (within the floors and ceilings).

    Why one function: the rounds share one batch of simulations over every open unit (common random
    numbers, one pool of workers), the timing and the progress bar; what is decided per unit is in
    :func:`_advance`, the screening in :func:`screen`."""
    spec = recommend_spec(cfg)
    scenario = build_scenario(cfg)
    t0 = time.perf_counter()
    planner = Planner.of(cfg, scenario, spec)
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    screens = screen(planner, session_minutes_per_day(scenario), calendar)
    t1 = time.perf_counter()
    searches = []
    for position, plan in enumerate(scenario.units):
        resources = planner.resources(plan)
        screened = tuple(min(max(v, r.floor), r.ceiling) for v, r in zip(screens[position].vector, resources))
        search = UnitSearch(position, resources, planner.current(plan), screened,
                            starting_vector(planner, plan, screens[position]))
        warm = (start or {}).get(plan.unit.slug)
        if warm is not None and len(warm.vector) == len(resources):
            search.x = warm_vector(planner, plan, resources, warm, session_minutes_per_day(scenario))
            if warm.out_of_reach:
                search.probe = search.probe_vector(spec.reach_factor)
        searches.append(search)

    results: dict[tuple[int, tuple[int, ...]], list[dict]] = {}
    simulated, rounds, round_log = 0, 0, []
    first = spec.replications
    groups = len(scenario.desk_policy.groups)

    def wanted(search: UnitSearch, vector: tuple[int, ...]) -> int:
        """Replications still to run for this candidate before its verdict can change."""
        reps = results.get((search.position, vector), [])
        if not reps:
            return first
        verdict, _ = candidate_verdict(reps, spec)
        return min(first, spec.max_replications - len(reps)) if verdict == OPEN else 0

    while rounds < spec.max_rounds:
        requests: dict[tuple[int, tuple[int, ...]], int] = {}
        for search in searches:
            if search.finished:
                continue
            candidates = [search.x] + [v for r in range(len(search.resources)) if r not in search.done
                                       for v in [search.below(r)] if v is not None and not search.known_bad(v)]
            if rounds == 0:
                candidates.append(search.current)  # today's counts, for the report
            if search.probe_due():
                search.probe = search.probe_vector(spec.reach_factor)
            if search.probe is not None:
                candidates.append(search.probe)
            for v in candidates:
                n = wanted(search, v)
                if n:
                    requests[(search.position, v)] = n
        if not requests:  # nothing to simulate: a search may still move on what is known (to a removal already run)
            moved = False
            for search in searches:
                if not search.finished:
                    state = (search.x, search.finished)
                    _advance(search, results, spec)
                    moved = moved or (search.x, search.finished) != state
            if not moved:
                break
            continue
        tasks, keys = [], []
        for (position, v), n in requests.items():
            have = len(results.get((position, v), []))
            plan = planner.apply(scenario.units[position], v)
            for rep in range(have, have + n):
                tasks.append((plan, rep))
                keys.append((position, v))
        started = time.perf_counter()
        if progress is not None:
            progress.start(f"round {rounds + 1}", len(tasks))
        out = _simulate(scenario, tasks, workers, progress.advance if progress is not None else None)
        for res in sorted(out, key=lambda res: res.position):  # a candidate's replications in order
            position, v = keys[res.position]
            plan = planner.apply(scenario.units[position], v)
            results.setdefault((position, v), []).append(
                replication_values(res, plan, planner.per_group(plan), groups))
        simulated += len(tasks)
        rounds += 1
        for search in searches:
            if not search.finished:
                _advance(search, results, spec)
        round_log.append({"round": rounds, "candidates": len(requests), "unit_replications": len(tasks),
                          "seconds": round(time.perf_counter() - started, 2),
                          "open_units": sum(not s.finished for s in searches)})
        if progress is not None:
            still = round_log[-1]["open_units"]
            progress.end(f"round {rounds}: {still} unit{'' if still == 1 else 's'} still open")
    for search in searches:
        if not search.finished:
            search.outcome = "rounds ran out"
            if (search.position, search.x) not in results and search.before_step is not None:
                search.x = search.before_step  # the last candidate simulated
    t2 = time.perf_counter()
    timing = {"screening_s": t1 - t0, "simulation_s": t2 - t1}
    from sim.config.provenance import provenance

    from sim.analysis.assumptions import basis

    return Recommendation(scenario, spec, searches, screens, results, timing, simulated, rounds, round_log,
                          provenance(cfg), basis(cfg, scenario))


def _brought_closer(before: list[dict], after: list[dict], failing: tuple[str, ...], spec: RecommendSpec) -> bool:
    """Whether a step up moved some failing target's KPI towards its target: the 95 % interval of
    the paired difference (same replications, common random numbers) lies wholly on that side."""
    from sim.analysis.intervals import mean_ci95

    n = min(len(before), len(after))
    for name in failing:
        kpi, sense = TARGETS[name]
        sign = -1.0 if sense == "max" else 1.0
        gains = [sign * (a[kpi] - b[kpi]) for a, b in zip(after[:n], before[:n])
                 if not (math.isnan(a[kpi]) or math.isnan(b[kpi]))]
        if not gains:
            continue
        ci = mean_ci95(gains)
        low = ci["ci95_low"] if ci["ci95_low"] is not None else ci["mean"]
        if low is not None and low > 0:
            return True
    return False


def _advance(search: UnitSearch, results: dict, spec: RecommendSpec) -> None:
    """Move one unit's search on from what its candidates' replications say.

    Why one function: it is the search's state machine (probe out of reach, candidate undecided,
    rejected and stepped up, accepted and a removal tried, removal accepted or not, finished), one
    branch per state in the order the module's docstring gives; split, the states' order would be
    hidden between functions."""
    reps = results.get((search.position, search.x), [])
    probe = results.get((search.position, search.probe), []) if search.probe is not None else []
    if probe:
        unreachable = tuple(n for n, v in candidate_verdict(probe, spec)[1].items() if v == REJECTED)
        if unreachable:  # even reach_factor times every count misses them: staffing cannot reach them
            search.finished, search.outcome, search.out_of_reach = True, "out of reach", unreachable
            return
    verdict, each = candidate_verdict(reps, spec)
    if verdict == OPEN:
        return
    if verdict == REJECTED:
        search.rejected.append(search.x)
        failing = tuple(name for name, v in each.items() if v != ACCEPTED)
        before = results.get((search.position, search.before_step), []) if search.before_step else []
        still = tuple(n for n in failing if before and candidate_verdict(before, spec)[1][n] != ACCEPTED)
        if still and not _brought_closer(before, reps, still, spec):
            # the last step bought nothing measurable: more of the same will not reach the target
            search.finished, search.outcome, search.out_of_reach = True, "out of reach", still
            search.x = search.before_step
            return
        up = _step_up(search, reps, each, spec.step_share)
        if up is None:
            search.finished, search.outcome = True, "at ceiling"
            return
        added = [k for k, (a, b) in enumerate(zip(search.x, up)) if b > a]
        search.steps.append("+" + ",".join(search.resources[k].name for k in added))
        search.before_step = search.x
        search.x = up
        search.done = set(added)
        return
    accepted_below, still_open = None, False
    for r in range(len(search.resources)):
        if r in search.done:
            continue
        v = search.below(r)
        if v is None or search.known_bad(v):
            search.done.add(r)
            continue
        below = results.get((search.position, v), [])
        if not below:
            still_open = True
            continue
        verdict_below, _ = candidate_verdict(below, spec)
        if verdict_below == ACCEPTED and accepted_below is None:
            accepted_below = r
        elif verdict_below == REJECTED:
            search.rejected.append(v)
            search.done.add(r)
        elif verdict_below == OPEN:
            still_open = True
    if accepted_below is not None:
        search.steps.append("-" + search.resources[accepted_below].name)
        search.x = search.below(accepted_below)
        return
    if not still_open:
        search.finished, search.outcome = True, "minimal"
