"""``python -m sim``: simulate a scenario and write one run folder (see README)."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from sim.cli import hydra_command
from sim.config import build_scenario
from sim.scenario import Scenario


@hydra_command(build_scenario)
def main(cfg: DictConfig, scenario: Scenario, folder: Path) -> None:
    # Imported here so that a bad command line is refused without loading plotting and statistics.
    from sim.report import format_summary, write_run
    from sim.runner import run_scenario
    from sim.summary import summarise

    summary = summarise(scenario, run_scenario(scenario, progress=cfg.progress))
    write_run(folder, summary)
    print(format_summary(summary, cfg.top_units))
    print(f"\nRun folder: {folder}")


if __name__ == "__main__":
    main()
