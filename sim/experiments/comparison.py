"""Structures side by side: every variant (structure x staffing policy) runs the same replications
(common random numbers), and each is compared with the baseline by paired differences."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.analysis.assumptions import basis
from sim.analysis.kpis import KPI_NAMES, difference_interval, kpi_interval, pooled_kpis, unit_kpis
from sim.model.city import KINDS
from sim.model.structures import STAFFING_POLICIES
from sim.config.provenance import provenance
from sim.config.build import build_scenario, load_structure_config
from sim.errors import ConfigError
from sim.experiments.runner import run_scenario
from sim.model.scenario import Scenario
from sim.config.schema import StructureConfig
from sim.analysis.summary import RunSummary, summarise

HEADLINE = ("on_time_of_received_pct", "abandoned_of_received_pct", "on_time_pct", "overdue", "desk_wait_mean_min", "desk_wait_p90_min", "lead_time_mean_wd",
            "in_process", "staff_utilisation", "approver_utilisation")
GROUPS = ("city", *KINDS)
MOVERS_KPI = "on_time_of_received_pct"  # the unit lists of gains and losses rank units by this KPI


@dataclass(frozen=True)
class Variant:
    name: str  # "structure" or "structure/policy"
    structure: str
    policy: str
    cfg: DictConfig


def variants(cfg: DictConfig) -> list[Variant]:
    """The baseline (first) and each other structure under each staffing policy, validated."""
    c = cfg.compare
    if len(set(c.structures)) != len(c.structures):
        raise ConfigError("compare.structures", "a structure is listed twice")
    others = [(f"compare.structures[{k}]", name) for k, name in enumerate(c.structures) if name != c.baseline]
    if not others:
        raise ConfigError("compare.structures", f"names no structure besides the baseline {c.baseline!r}: "
                                                "nothing to compare")
    if not c.policies:
        raise ConfigError("compare.policies", f"no staffing policy: name one or more of {', '.join(STAFFING_POLICIES.names())}")
    for k, policy in enumerate(c.policies):
        if policy not in STAFFING_POLICIES:
            raise ConfigError(f"compare.policies[{k}]",
                              f"unknown policy {policy!r}; choose one of {', '.join(STAFFING_POLICIES.names())}")
    if len(set(c.policies)) != len(c.policies):
        raise ConfigError("compare.policies", "a policy is listed twice")
    if c.top_units < 0:
        raise ConfigError("compare.top_units", f"must be at least 0, got {c.top_units}")
    out = []
    for key, name in [("compare.baseline", c.baseline), *others]:
        for policy in [c.policies[0]] if name == c.baseline else list(c.policies):
            label = name if name == c.baseline else f"{name}/{policy}"
            out.append(Variant(label, name, policy, variant_config(cfg, name, policy, key)))
    for v in out:
        build_scenario(v.cfg)  # every variant must be valid before anything runs
    return out


def variant_config(cfg: DictConfig, name: str, policy: str, key: str) -> DictConfig:
    """``cfg`` under structure ``name`` (named by config ``key`` in errors) and staffing ``policy``:
    the configured structure keeps the user's overrides; the others come from their files."""
    structure = (OmegaConf.to_container(cfg.structure, resolve=True) if name == cfg.structure.name
                 else load_structure_config(name, key))
    v = cfg.copy()
    v.structure = OmegaConf.merge(OmegaConf.structured(StructureConfig), structure)
    OmegaConf.update(v, "staff.policy", policy, merge=False)
    return v


@dataclass
class VariantRun:
    variant: Variant
    scenario: Scenario
    summary: RunSummary
    groups: dict[str, list[dict]]  # group -> KPIs by replication
    units: pd.DataFrame  # per-unit KPIs by replication (slug, replication, KPI...)
    # variant name -> KPIs by replication pooled over the units that variant changes (the leaders' answer)
    changed: dict[str, list[dict]] = dataclasses.field(default_factory=dict)


def changed_units(base: Scenario, other: Scenario) -> frozenset[str]:
    """Slugs of the units whose departments differ between two scenarios of the same units: where a
    structure adds departments (the units its answer is about)."""
    return frozenset(b.unit.slug for b, o in zip(base.units, other.units)
                     if b.organisation.structure.department_names != o.organisation.structure.department_names)


def run_variant(variant: Variant, seed_offset: int = 0, workers: int | None = None, progress: bool = False,
                changed: dict[str, frozenset[str]] | None = None, scenario: Scenario | None = None) -> VariantRun:
    """Run one variant; its KPIs by replication for the city, each kind of unit and each set of
    ``changed`` units (name -> slugs), and per unit. ``scenario``: the variant's, when built already."""
    scenario = scenario or build_scenario(variant.cfg)
    scenario = dataclasses.replace(scenario, seed=scenario.seed + seed_offset)
    results = run_scenario(scenario, workers=workers, progress=progress)

    def pooled(keep) -> list[dict] | None:
        chosen = [[r for r in rep if keep(scenario.units[r.position].unit)] for rep in results]
        return [pooled_kpis(rep) for rep in chosen] if chosen[0] else None

    groups = {"city": pooled(lambda unit: True)}
    for kind in KINDS:
        if (by_rep := pooled(lambda unit, kind=kind: unit.kind == kind)) is not None:
            groups[kind] = by_rep
    subsets = {name: by_rep for name, slugs in (changed or {}).items()
               if (by_rep := pooled(lambda unit, slugs=slugs: unit.slug in slugs)) is not None}
    rows = [{"slug": scenario.units[r.position].unit.slug, "kind": scenario.units[r.position].unit.kind,
             "replication": r.replication, **unit_kpis(r)}
            for rep in results for r in rep]
    summary = summarise(scenario, results, provenance(variant.cfg))
    summary.summary.update(basis(variant.cfg, scenario))  # what its answer rests on, for the first screen
    return VariantRun(variant, scenario, summary, groups, pd.DataFrame(rows), subsets)


def paired(a: list[dict], b: list[dict], name: str) -> dict:
    """Mean and 95 % interval of the per-replication difference b - a (kept inside the range a
    difference of the KPI can take)."""
    return difference_interval(name, [y[name] - x[name] for x, y in zip(a, b)])


def unit_differences(base_units: pd.DataFrame, units: pd.DataFrame, kpi: str = MOVERS_KPI) -> pd.DataFrame:
    """Every unit's paired difference of ``kpi`` against the baseline (same replication, common
    random numbers): slug, kind, change (the mean over replications), ci95_low, ci95_high; sorted
    by slug. The map of a variant's change and the lists of ``movers`` are drawn from it."""
    key = ["slug", "replication"]
    joined = units[[*key, "kind", kpi]].merge(base_units[[*key, kpi]], on=key, suffixes=("", "_baseline"))
    joined["change"] = joined[kpi] - joined[f"{kpi}_baseline"]
    rows = []
    for slug, sub in joined.groupby("slug", sort=True):
        ci = difference_interval(kpi, list(sub["change"]))
        rows.append({"slug": slug, "kind": sub["kind"].iloc[0], "change": ci["mean"],
                     "ci95_low": ci["ci95_low"], "ci95_high": ci["ci95_high"]})
    return pd.DataFrame(rows, columns=["slug", "kind", "change", "ci95_low", "ci95_high"])


def movers(base_units: pd.DataFrame, units: pd.DataFrame, top: int, kpi: str = MOVERS_KPI) -> pd.DataFrame:
    """Units that gain and lose most against the baseline, by the paired per-unit difference of
    ``kpi`` (same replication, common random numbers), with its 95 % interval.

    A unit gains only if its whole interval lies above 0 and loses only if it lies below 0; a unit
    whose difference cannot be told from 0 (among them every unit run exactly as in the baseline,
    whose difference is 0 in every replication) is in neither list, and no unit is in both. Gains
    come largest first, losses most negative first, at most ``top`` of each. ``base_units`` and
    ``units``: per-unit KPIs by replication (slug, kind, replication, KPI ...).
    """
    frame = unit_differences(base_units, units, kpi)
    gains = frame[frame["ci95_low"].notna() & (frame["ci95_low"] > 0)].sort_values("change", ascending=False)
    losses = frame[frame["ci95_high"].notna() & (frame["ci95_high"] < 0)].sort_values("change")
    out = pd.concat([gains.head(top).assign(direction="gains"), losses.head(top).assign(direction="loses")])
    return out.rename(columns={"change": f"{kpi}_change"}).reset_index(drop=True)


@dataclass(frozen=True)
class StructureAnswer:
    """The leaders' answer for one variant, over the units it changes (same replications as the
    baseline): the paired change of their on-time share and of their overtime, with 95 % intervals,
    what it costs in positions, and the per-replication changes of the on-time share (a gain's chance)."""

    variant: str
    structure: str
    policy: str
    units: dict[str, int]  # kind -> units whose departments change
    departments_added: int
    positions_added: int  # officers, heads and deputies over those units, against the baseline
    on_time: dict  # paired difference of on_time_of_received_pct (points): mean, ci95_low, ci95_high
    overtime: dict  # paired difference of overtime_hours_per_officer_week (hours)
    on_time_changes: tuple[float, ...]  # per replication

    @property
    def changes_anything(self) -> bool:
        return sum(self.units.values()) > 0

    def gains(self) -> int:
        """Replications in which the on-time share of the changed units rises."""
        return sum(1 for d in self.on_time_changes if d > 0)


def _positions(scenario: Scenario, slugs: frozenset[str]) -> tuple[int, int]:
    """Departments and positions (officers, heads, deputies) of the units ``slugs``."""
    plans = [p for p in scenario.units if p.unit.slug in slugs]
    return (sum(len(p.organisation.staff) for p in plans),
            sum(sum(p.organisation.staff) + sum(p.organisation.approvers) for p in plans))


def structure_answers(runs: list[VariantRun], changed: dict[str, frozenset[str]]) -> list[StructureAnswer]:
    """Each variant's :class:`StructureAnswer` against the baseline (``runs[0]``)."""
    base = runs[0]
    out = []
    for run in runs[1:]:
        name = run.variant.name
        slugs = changed[name]
        kinds = {kind: sum(1 for p in run.scenario.units if p.unit.slug in slugs and p.unit.kind == kind) for kind in KINDS}
        (d0, p0), (d1, p1) = _positions(base.scenario, slugs), _positions(run.scenario, slugs)
        before, after = base.changed.get(name), run.changed.get(name)
        if before is None or after is None:  # the structure changes no unit of this run
            empty = {"mean": 0.0, "ci95_low": 0.0, "ci95_high": 0.0}
            out.append(StructureAnswer(name, run.variant.structure, run.variant.policy, kinds, 0, 0, empty, empty, ()))
            continue
        changes = tuple(y[MOVERS_KPI] - x[MOVERS_KPI] for x, y in zip(before, after))
        out.append(StructureAnswer(name, run.variant.structure, run.variant.policy, kinds, d1 - d0, p1 - p0,
                                   paired(before, after, MOVERS_KPI),
                                   paired(before, after, "overtime_hours_per_officer_week"), changes))
    return out


@dataclass
class Comparison:
    runs: list[VariantRun]
    table: pd.DataFrame  # tidy: variant, group, kpi, mean, CI, difference to baseline with CI
    movers: dict[str, pd.DataFrame]  # variant -> units that clearly gain and lose most (MOVERS_KPI)
    answers: list[StructureAnswer] = dataclasses.field(default_factory=list)  # one per variant after the baseline
    ensemble: dict | None = None  # the answers over an ensemble (sim.experiments.over_ensemble), when one is given


def compare(cfg: DictConfig, workers: int | None = None, progress=None) -> Comparison:
    chosen = variants(cfg)
    crn = bool(cfg.compare.common_random_numbers)
    scenarios = [build_scenario(v.cfg) for v in chosen]
    changed = {v.name: changed_units(scenarios[0], s) for v, s in zip(chosen[1:], scenarios[1:])}
    runs = []
    for k, v in enumerate(chosen):
        runs.append(run_variant(v, 0 if crn else 1000 * k, workers, changed=changed if k == 0 else {v.name: changed[v.name]},
                                scenario=scenarios[k]))
        if progress is not None:
            progress(v)
    base = runs[0]
    rows = []
    for run in runs:
        for group, by_rep in run.groups.items():
            for name in KPI_NAMES:
                ci = kpi_interval(name, [k[name] for k in by_rep])
                diff = paired(base.groups[group], by_rep, name)
                rows.append({"variant": run.variant.name, "structure": run.variant.structure,
                             "policy": run.variant.policy, "group": group, "kpi": name,
                             **ci, "diff_mean": diff["mean"], "diff_ci95_low": diff["ci95_low"],
                             "diff_ci95_high": diff["ci95_high"],
                             "departments_and_service_point_per_unit": run.scenario.units_per_unit})
    top = int(cfg.compare.top_units)
    lists = {run.variant.name: movers(base.units, run.units, top) for run in runs[1:]}
    return Comparison(runs, pd.DataFrame(rows), lists, structure_answers(runs, changed))
