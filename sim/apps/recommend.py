"""``python -m sim.recommend``: the fewest counters and officers per unit that meet the targets of
``recommend.targets`` (see :mod:`sim.experiments.recommendation` and docs/recommend.md, "Recommending desks
and officers"); with ``recommend.budget.enabled=true``, a fixed budget of officers moved between
units and departments instead (:mod:`sim.experiments.budget`, docs/recommend.md, "A fixed budget")."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from sim.apps.command import hydra_command
from sim.errors import OutputMissing


def _validate(cfg: DictConfig):
    """The settings, the scenario and the structures to try, checked before anything runs."""
    from sim.config.build import build_scenario, load_structure_config
    from sim.experiments.recommendation import recommend_spec
    from sim.errors import ConfigError

    spec = recommend_spec(cfg)
    scenario = build_scenario(cfg)
    if cfg.recommend.budget.enabled:
        from sim.experiments.budget import budget_in_reach, needs_back_office

        needs_back_office(scenario)
        budget_in_reach(cfg, scenario)  # before a run folder is made
    for k, name in enumerate(cfg.recommend.structures):
        key = f"recommend.structures[{k}]"
        if name == cfg.structure.name:
            raise ConfigError(key, f"{name!r} is the configured structure: list the alternatives only")
        load_structure_config(name, key)
    return spec


@hydra_command(_validate, done=("recommendation.json", "budget.json"), sections=("recommend",))
def main(cfg: DictConfig, _spec, folder: Path) -> None:
    from sim.experiments.progress import RoundsBar
    from sim.experiments.recommendation import recommend
    from sim.outputs.recommendation_report import verdict_sentences, write_recommendation

    if cfg.recommend.budget.enabled:
        _fixed_budget(cfg, folder)
        return
    bar = RoundsBar("recommend: unit-replications", enabled=cfg.progress)
    try:
        rec = recommend(cfg, progress=bar)
    finally:
        bar.close()
    structures = None
    if cfg.recommend.structures:
        import time

        from sim.experiments.city_plans import city_plans
        from sim.experiments.structure_plan import structure_plan

        started = time.perf_counter()
        structures = structure_plan(cfg, recommendation=rec)
        if structures is not None:
            structures.plans = city_plans(cfg, structures)
        rec.timing["structures_s"] = time.perf_counter() - started
    if cfg.ensemble.path:  # every member's own recommendation, its range, and the plan covering them all
        _over_ensemble(cfg, rec, folder)
    problems = write_recommendation(folder, rec, structures)
    print("\n".join(verdict_sentences(rec, structures)))
    print(f"\nScreening {rec.timing['screening_s']:.1f} s, simulation {rec.timing['simulation_s']:.1f} s "
          f"({rec.simulated} unit-replications, {rec.rounds} rounds)")
    print(f"Report: {folder / 'report.html'}")
    if problems:
        raise OutputMissing("; ".join(problems))


def _over_ensemble(cfg: DictConfig, rec, folder: Path) -> None:  # rec: the configured set's, reused where it is a member
    """recommendation_ensemble.csv (each member's counts per unit), recommended_overrides_ensemble.txt
    (the plan covering every member) and the ranges in recommendation.json, before it is written."""
    import copy

    import pandas as pd

    from sim.experiments.over_ensemble import recommend_over_ensemble
    from sim.outputs.atomic import write_text
    from sim.outputs.csv_files import write_csv
    from sim.outputs.recommendation_report import overrides

    def show(done: int, total: int) -> None:
        if cfg.progress:
            print(f"recommend: ensemble member {done} of {total} done", flush=True)

    over = recommend_over_ensemble(cfg, progress=show, point=rec)
    write_csv(pd.DataFrame(over.unit_rows()), folder / "recommendation_ensemble.csv")
    covering, counts = copy.deepcopy(over.members[0]), over.covering()
    for search in covering.searches:
        search.x = counts[search.position]
    write_text(folder / "recommended_overrides_ensemble.txt", " ".join(overrides(covering)) + "\n")
    rec.ensemble = over.summary()


def _fixed_budget(cfg: DictConfig, folder: Path) -> None:
    """recommend.budget.enabled=true: the same officers, moved where they buy most on-time records."""
    from sim.experiments.budget import fixed_budget
    from sim.experiments.progress import RoundsBar
    from sim.outputs.budget_report import budget_sentences, write_budget

    bar = RoundsBar("budget: unit-replications", enabled=cfg.progress)
    try:
        result = fixed_budget(cfg, progress=bar)
    finally:
        bar.close()
    write_budget(folder, result)
    print("\n".join(budget_sentences(result)))
    print(f"\nFirst simulation {result.timing['first_simulation_s']:.1f} s, moves {result.timing['moves_s']:.1f} s "
          f"({result.simulated} unit-replications, {result.rounds} rounds)")
    print(f"Moves: {folder / 'budget_moves.csv'}; summary: {folder / 'budget.json'}")


if __name__ == "__main__":
    main()
