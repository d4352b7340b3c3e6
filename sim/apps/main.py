"""``python -m sim``: simulate a scenario and write one run folder (see README)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from omegaconf import DictConfig

from sim.apps.command import hydra_command

if TYPE_CHECKING:
    from sim.model.scenario import Scenario


@hydra_command("sim.config.build:build_scenario")  # imported when used: --help loads no engine
def main(cfg: DictConfig, scenario: Scenario, folder: Path) -> None:
    # Imported here so that a bad command line is refused without loading plotting and statistics.
    from sim.outputs.run_files import format_summary, write_run
    from sim.experiments.runner import run_scenario
    from sim.analysis.summary import summarise
    from sim.config.provenance import provenance

    from sim.outputs.snapshot import write_snapshot

    results = run_scenario(scenario, progress=cfg.progress)
    summary = summarise(scenario, results, provenance(cfg))
    if scenario.stock.save_snapshot:  # before summary.json: a folder holding it is complete
        write_snapshot(folder, scenario, results)
    write_run(folder, summary)
    print(format_summary(summary, cfg.top_units))
    print(f"\nRun folder: {folder}")


if __name__ == "__main__":
    main()
