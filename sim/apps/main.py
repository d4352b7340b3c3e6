"""``python -m sim``: simulate a scenario and write one run folder (see README)."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from sim.apps.command import hydra_command
from sim.errors import OutputMissing
from sim.config.build import build_scenario
from sim.model.scenario import Scenario


@hydra_command(build_scenario)
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
    problems = write_run(folder, summary)
    print(format_summary(summary, cfg.top_units))
    print(f"\nRun folder: {folder}")
    if problems:  # the results are written; what is missing is said in one line, and the exit says it too
        raise OutputMissing("; ".join(problems))


if __name__ == "__main__":
    main()
