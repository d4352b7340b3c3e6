"""``python -m sim.validate``: the scenario against every stored observation, with offered loads,
Little's law and the horizon check (see docs/calibration.md, "Validation")."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from typing import TYPE_CHECKING

from sim.apps.command import hydra_command

if TYPE_CHECKING:
    from sim.experiments.validation import ValidationPlan


@hydra_command("sim.experiments.validation:validation_plan", done=("validation.html",),  # imported when used
               sections=("validate", "report"))
def main(cfg: DictConfig, plan: ValidationPlan, folder: Path) -> None:
    from sim.experiments.validation import run_validation
    from sim.outputs.validation_report import little_summary, observation_lines, write_validation

    validation = run_validation(plan, progress=cfg.progress)
    if cfg.ensemble.path:  # every member against every observation and pattern, before the report's last file
        _over_ensemble(cfg, folder)
    write_validation(folder, validation)
    print(observation_lines(validation).drop(columns="source").to_string(index=False))
    print(f"\n{little_summary(validation)}")
    for warning in validation.warnings:
        print(f"warning: {warning}")
    print(f"\nReport: {folder / 'validation.html'}")


def _over_ensemble(cfg: DictConfig, folder: Path) -> None:
    """validation_ensemble.csv: each member of ``ensemble.path`` against each observation and pattern."""
    import pandas as pd

    from sim.experiments.over_ensemble import validate_members
    from sim.outputs.csv_files import write_csv

    def show(done: int, total: int) -> None:
        if cfg.progress:
            print(f"validate: ensemble member {done} of {total} done", flush=True)

    table = pd.DataFrame(validate_members(cfg, int(cfg.replications), progress=show))
    write_csv(table, folder / "validation_ensemble.csv")
    met = table.groupby("target")["within_tolerance"].agg(["sum", "count"])
    print(f"Over the ensemble ({table['member'].nunique()} members): members within tolerance, per target")
    for name, row in met.iterrows():
        print(f"  {name:<32} {int(row['sum'])} of {int(row['count'])}")


if __name__ == "__main__":
    main()
