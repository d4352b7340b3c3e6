"""``python -m sim``: simulate a scenario and write one run folder (see docs/outputs.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from omegaconf import DictConfig

from sim.apps.command import hydra_command
from sim.errors import OutputMissing

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

    from sim.analysis.assumptions import basis

    results = run_scenario(scenario, progress=cfg.progress)
    summary = summarise(scenario, results, provenance(cfg))
    summary.summary.update(basis(cfg, scenario))
    if cfg.ensemble.path:  # the same run for every member: the answer's range, beside the point answer
        from sim.experiments.over_ensemble import run_members
        from sim.outputs.csv_files import write_csv
        import pandas as pd

        def show(done: int, total: int) -> None:
            if cfg.progress:
                print(f"ensemble: member {done} of {total} done", flush=True)

        runs = run_members(cfg, progress=show)
        write_csv(pd.DataFrame(runs.table()), folder / "ensemble.csv")
        summary.summary["ensemble"] = runs.summary()
    if scenario.stock.save_snapshot:  # before summary.json: a folder holding it is complete
        write_snapshot(folder, scenario, results)
    problems = write_run(folder, summary)
    print(format_summary(summary, cfg.top_units))
    print(f"\nRun folder: {folder}")
    if problems:  # the results are written; what is missing is said in one line, and the exit says it too
        raise OutputMissing("; ".join(problems))


if __name__ == "__main__":
    main()
