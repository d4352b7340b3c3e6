"""``python -m sim.recommend``: the fewest counters and officers per unit that meet the targets of
``recommend.targets`` (see :mod:`sim.experiments.recommendation` and README, "Recommending desks
and officers")."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from sim.apps.command import hydra_command
from sim.config.build import build_scenario
from sim.experiments.recommendation import recommend_spec


def _validate(cfg: DictConfig):
    """The settings, the scenario and the structures to try, checked before anything runs."""
    from sim.config.build import load_structure_config
    from sim.errors import ConfigError

    spec = recommend_spec(cfg)
    build_scenario(cfg)
    for k, name in enumerate(cfg.recommend.structures):
        key = f"recommend.structures[{k}]"
        if name == cfg.structure.name:
            raise ConfigError(key, f"{name!r} is the configured structure: list the alternatives only")
        load_structure_config(name, key)
    return spec


@hydra_command(_validate)
def main(cfg: DictConfig, _spec, folder: Path) -> None:
    from sim.experiments.recommendation import recommend
    from sim.outputs.recommendation_report import verdict_sentences, write_recommendation

    def report(rounds: int, open_units: int) -> None:
        if cfg.progress:
            print(f"recommend: round {rounds}, {open_units} units still open", flush=True)

    rec = recommend(cfg, progress=report)
    structures = None
    if cfg.recommend.structures:
        import time

        from sim.experiments.structure_plan import structure_plan

        started = time.perf_counter()
        structures = structure_plan(cfg, recommendation=rec)
        rec.timing["structures_s"] = time.perf_counter() - started
    write_recommendation(folder, rec, structures)
    print("\n".join(verdict_sentences(rec, structures)))
    print(f"\nScreening {rec.timing['screening_s']:.1f} s, simulation {rec.timing['simulation_s']:.1f} s "
          f"({rec.simulated} unit-replications, {rec.rounds} rounds)")
    print(f"Report: {folder / 'report.html'}")


if __name__ == "__main__":
    main()
