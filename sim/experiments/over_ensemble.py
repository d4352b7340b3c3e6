"""An answer over an ensemble (``ensemble.path``): the same experiment for every member, each on the
same replications (common random numbers within and across members), and the answer's range over
the members with the parameter that moves it most."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from sim.analysis.kpis import pooled_kpis
from sim.analysis.scopes import in_scope
from sim.config.build import build_scenario
from sim.config.ensemble import Ensemble, load_ensemble, member_configs
from sim.experiments.runner import run_scenario

# KPIs whose range over the members the run reports (scopes "units" and "centre")
HEADLINE = ("on_time_of_received_pct", "on_time_pct", "in_process", "staff_utilisation",
            "overtime_hours_per_officer_week", "desk_wait_p90_min")


def chosen_members(cfg: DictConfig) -> tuple[Ensemble, list[DictConfig]]:
    """The ensemble of ``cfg`` and one config per member used (the first ``ensemble.members``, or all)."""
    ensemble = load_ensemble(str(cfg.ensemble.path), cfg)
    configs = member_configs(cfg, ensemble)
    n = int(cfg.ensemble.members)
    return ensemble, configs[:n] if n else configs


def driver(ensemble: Ensemble, values: list[float]) -> tuple[str, float] | None:
    """The parameter whose member values go most with ``values`` (largest |Spearman correlation|),
    and that correlation; None with fewer than three members or no variation."""
    from scipy.stats import spearmanr

    y = np.asarray(values, dtype=float)
    if len(y) < 3 or np.nanstd(y) == 0:
        return None
    best = None
    for p in ensemble.parameters:
        x = np.array([ensemble.members[k][p.name] for k in range(len(y))])
        if np.std(x) == 0:
            continue
        rho = float(spearmanr(x, y).statistic)
        if not math.isnan(rho) and (best is None or abs(rho) > abs(best[1])):
            best = (p.name, rho)
    return best


@dataclass
class EnsembleRuns:
    ensemble: Ensemble
    member_kpis: list[dict[str, dict[str, float]]]  # per member: scope -> KPI -> mean over replications

    def table(self) -> list[dict]:
        """One row per member: its parameter values and its headline KPIs per scope."""
        rows = []
        for k, kpis in enumerate(self.member_kpis):
            row = {"member": k, **self.ensemble.members[k]}
            for scope, values in kpis.items():
                row.update({f"{scope}.{name}": values[name] for name in HEADLINE})
            rows.append(row)
        return rows

    def summary(self) -> dict:
        """For summary.json: per scope and headline KPI, the members' range and median, and the
        parameter that moves it most."""
        out = {"path": self.ensemble.path, "name": self.ensemble.name, "members": len(self.member_kpis),
               "provenance": self.ensemble.provenance, "ranges": {}}
        for scope in self.member_kpis[0]:
            out["ranges"][scope] = {}
            for name in HEADLINE:
                values = [m[scope][name] for m in self.member_kpis]
                finite = [v for v in values if not math.isnan(v)]
                if not finite:
                    continue
                moved = driver(self.ensemble, values)
                out["ranges"][scope][name] = {"min": min(finite), "median": float(np.median(finite)), "max": max(finite),
                                              "driver": moved[0] if moved else None,
                                              "driver_rank_correlation": moved[1] if moved else None}
        return out


def run_members(cfg: DictConfig, workers: int | None = None, progress=None) -> EnsembleRuns:
    """Every member of ``cfg``'s ensemble on the run's replications; ``progress(done, total)``."""
    ensemble, configs = chosen_members(cfg)
    member_kpis = []
    for k, member in enumerate(configs):
        scenario = build_scenario(member)
        results = run_scenario(scenario, workers=workers, progress=False)
        by_scope = {}
        for scope in ("units", "centre"):
            reps = [[r for r in rep if in_scope(scenario.units[r.position].unit.kind, scope)] for rep in results]
            if reps[0]:
                per_rep = [pooled_kpis(rep) for rep in reps]
                by_scope[scope] = {name: float(np.nanmean([p[name] for p in per_rep])) for name in HEADLINE}
        member_kpis.append(by_scope)
        if progress is not None:
            progress(k + 1, len(configs))
    return EnsembleRuns(ensemble, member_kpis)


# --- a recommendation over the ensemble -----------------------------------------------------------
@dataclass
class EnsembleRecommendation:
    """Each member's own recommendation (the fewest counts meeting the targets in that member) and
    the plan that covers them all: per unit and resource the most any member needs, so that the
    targets are met in every member (more counters or officers never hurt: the search's assumption)."""

    ensemble: Ensemble
    members: list  # sim.experiments.recommendation.Recommendation, one per member used

    def totals(self, kind: str, scope_kinds: tuple[str, ...] = ("ward", "commune")) -> list[int]:
        """Per member: the recommended ``kind`` ("officers" or "counters") over the units of ``scope_kinds``."""
        out = []
        for rec in self.members:
            out.append(sum(v for s in rec.searches if rec.scenario.units[s.position].unit.kind in scope_kinds
                           for v, r in zip(s.x, s.resources) if r.kind == kind))
        return out

    def covering(self) -> dict[int, tuple[int, ...]]:
        """Position -> the counts that cover every member (elementwise most)."""
        out = {}
        for rec in self.members:
            for s in rec.searches:
                out[s.position] = tuple(max(a, b) for a, b in zip(out.get(s.position, s.x), s.x))
        return out

    def summary(self) -> dict:
        out = {"path": self.ensemble.path, "name": self.ensemble.name, "members": len(self.members), "totals": {}}
        covering = self.covering()
        for kind in ("officers", "counters"):
            values = self.totals(kind)
            moved = driver(self.ensemble, [float(v) for v in values])
            first = self.members[0]
            plan = sum(v for p, x in covering.items() if first.scenario.units[p].unit.kind in ("ward", "commune")
                       for v, r in zip(x, first.searches[p].resources) if r.kind == kind)
            out["totals"][kind] = {"by_member": values, "min": min(values), "max": max(values),
                                   "median": float(np.median(values)), "covering_plan": plan,
                                   "driver": moved[0] if moved else None,
                                   "driver_rank_correlation": moved[1] if moved else None}
        return out

    def unit_rows(self) -> list[dict]:
        """One row per unit, resource and member: the count that member recommends."""
        rows = []
        for k, rec in enumerate(self.members):
            for s in rec.searches:
                unit = rec.scenario.units[s.position].unit
                for r, v, today in zip(s.resources, s.x, s.current):
                    rows.append({"member": k, "slug": unit.slug, "name": unit.name, "kind": unit.kind,
                                 "resource": r.kind, "group_or_department": r.name, "today": today, "recommended": v})
        return rows


def recommend_over_ensemble(cfg: DictConfig, workers: int | None = None, progress=None,
                            warm: bool | None = None, point=None) -> EnsembleRecommendation:
    """``sim.experiments.recommendation.recommend`` for every member used; ``progress(done, total)``.
    Members are close (one calibrated region), so with ``warm`` (None: ``recommend.warm_start``) each member's search starts at the
    previous member's answer (:func:`~sim.experiments.recommendation.warm_starts`) rather than at
    the screen: a few steps from it instead of several, and out-of-reach units probed at once. Each
    member's answer is still its own accepted counts from which no single removal is accepted; it
    can differ from a cold start's where more than one set of counts is minimal. ``point``: the
    recommendation the command made for ``cfg`` itself: a member that is ``cfg``'s parameter set
    (the default scenario is the shipped ensemble's central member) takes it as its answer, same
    replications, same search, and the first member searched starts from it."""
    from sim.analysis.assumptions import is_member
    from sim.experiments.recommendation import recommend, warm_starts

    ensemble, configs = chosen_members(cfg)
    warm = bool(cfg.recommend.warm_start) if warm is None else warm
    members = []
    for k, member in enumerate(configs):
        if point is not None and is_member(cfg, ensemble, k):
            members.append(point)
        else:
            previous = members[-1] if members else point
            start = warm_starts(previous) if warm and previous is not None else None
            members.append(recommend(member, workers=workers, start=start))
        if progress is not None:
            progress(k + 1, len(configs))
    return EnsembleRecommendation(ensemble, members)


# --- validation over the ensemble -----------------------------------------------------------------
def validate_members(cfg: DictConfig, replications: int, workers: int | None = None, progress=None) -> list[dict]:
    """Every stored observation and pattern against every member used, on replications
    0..``replications``-1: one row per member and target (observed or range, simulated, error in
    tolerances, within tolerance)."""
    from sim.experiments.ensemble import EnsembleSpec, evaluate, patterns_from
    from sim.experiments.validation import observations_from

    ensemble, configs = chosen_members(cfg)
    observations, patterns = observations_from(cfg), patterns_from(cfg)
    rows = []
    for k, member in enumerate(configs):
        spec = EnsembleSpec((), observations, patterns, (), 1, 1, replications, 0, 0)
        candidate = evaluate(member, spec, {}, workers)
        for o in observations:
            rows.append({"member": k, "target": o.name, "kind": "observation", "observed": o.observed,
                         "simulated": candidate.simulated[o.name], "error_in_tolerances": candidate.errors[o.name],
                         "within_tolerance": abs(candidate.errors[o.name]) <= 1, "source": o.source})
        for p in patterns:
            rows.append({"member": k, "target": p.name, "kind": "pattern", "observed": f"{p.low:g}-{p.high:g}",
                         "simulated": candidate.simulated[p.name], "error_in_tolerances": candidate.errors[p.name],
                         "within_tolerance": abs(candidate.errors[p.name]) <= 1, "source": p.source})
        if progress is not None:
            progress(k + 1, len(configs))
    return rows


# --- a structure comparison over the ensemble -----------------------------------------------------
@dataclass
class EnsembleAnswers:
    """Every member's structure answers (``sim.experiments.comparison.StructureAnswer``, one per
    variant), each member on the same replications as the others."""

    ensemble: Ensemble
    members: list[list]  # per member: its StructureAnswer list, in the order of the variants

    def table(self) -> list[dict]:
        """One row per member and variant: the member's parameters and its answer."""
        rows = []
        for k, answers in enumerate(self.members):
            for a in answers:
                rows.append({"member": k, **self.ensemble.members[k], "variant": a.variant,
                             "units_changed": sum(a.units.values()), "positions_added": a.positions_added,
                             **{f"on_time_change_{c}": a.on_time[c] for c in ("mean", "ci95_low", "ci95_high")},
                             **{f"overtime_change_{c}": a.overtime[c] for c in ("mean", "ci95_low", "ci95_high")},
                             "replications_with_a_gain": a.gains(), "replications": len(a.on_time_changes)})
        return rows

    def summary(self) -> dict:
        """Per variant: the members' range of the on-time and overtime changes, the chance of a gain
        over every member and replication, and the parameter that moves the on-time change most."""
        out = {"path": self.ensemble.path, "name": self.ensemble.name, "members": len(self.members), "variants": {}}
        for v, first in enumerate(self.members[0]):
            answers = [m[v] for m in self.members]
            on_time = [a.on_time["mean"] for a in answers]
            overtime = [a.overtime["mean"] for a in answers if a.overtime["mean"] is not None]
            moved = driver(self.ensemble, on_time)
            out["variants"][first.variant] = {
                "on_time_change": {"min": min(on_time), "median": float(np.median(on_time)), "max": max(on_time)},
                "overtime_change": ({"min": min(overtime), "median": float(np.median(overtime)), "max": max(overtime)}
                                    if overtime else None),
                "gains": sum(a.gains() for a in answers), "trials": sum(len(a.on_time_changes) for a in answers),
                "driver": moved[0] if moved else None, "driver_rank_correlation": moved[1] if moved else None}
        return out


def compare_over_ensemble(cfg: DictConfig, workers: int | None = None, progress=None) -> EnsembleAnswers:
    """``sim.experiments.comparison.compare`` for every member used, keeping only each member's
    structure answers; ``progress(done, total)``."""
    from sim.experiments.comparison import compare

    ensemble, configs = chosen_members(cfg)
    members = []
    for k, member in enumerate(configs):
        members.append(compare(member, workers=workers).answers)
        if progress is not None:
            progress(k + 1, len(configs))
    return EnsembleAnswers(ensemble, members)


# --- break-even over the ensemble -----------------------------------------------------------------
@dataclass
class EnsembleBreakEven:
    """Every member's break-even per unit (``sim.experiments.break_even``), each member on the same
    replications: where a structure pays, and how far that depends on the member."""

    ensemble: Ensemble
    members: list  # per member: its sim.experiments.break_even.BreakEven

    def table(self) -> pd.DataFrame:
        """One row per member and unit: the member's parameters and its break-even row."""
        frames = [r.table.assign(member=k, **self.ensemble.members[k]) for k, r in enumerate(self.members)]
        return pd.concat(frames, ignore_index=True)

    def per_unit(self) -> pd.DataFrame:
        """One row per unit: how many members give each verdict, and the members' lowest and highest θ*."""
        from sim.experiments.break_even import VERDICTS

        t = self.table()
        rows = []
        for slug, sub in t.groupby("slug", sort=False):
            stars = sub["theta_star"].dropna()
            rows.append({"slug": slug, "name": sub["name"].iloc[0], "members": len(sub),
                         **{f"members_{v}": int((sub["verdict"] == v).sum()) for v in VERDICTS},
                         "theta_star_min": float(stars.min()) if len(stars) else float("nan"),
                         "theta_star_max": float(stars.max()) if len(stars) else float("nan")})
        return pd.DataFrame(rows)


def break_even_over_ensemble(cfg: DictConfig, workers: int | None = None, progress=None) -> EnsembleBreakEven:
    """``sim.experiments.break_even.break_even`` for every member used; ``progress(done, total)``."""
    from sim.experiments.break_even import break_even, settings

    ensemble, configs = chosen_members(cfg)
    members = []
    for k, member in enumerate(configs):
        members.append(break_even(member, workers=workers, setting=settings(member)))
        if progress is not None:
            progress(k + 1, len(configs))
    return EnsembleBreakEven(ensemble, members)
