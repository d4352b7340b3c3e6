"""``python -m sim.validate``: the scenario against every stored observation, with offered loads,
Little's law and the horizon check (see README, "Validation")."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from typing import TYPE_CHECKING

from sim.apps.command import hydra_command

if TYPE_CHECKING:
    from sim.experiments.validation import ValidationPlan


@hydra_command("sim.experiments.validation:validation_plan")  # imported when used: --help loads no engine
def main(cfg: DictConfig, plan: ValidationPlan, folder: Path) -> None:
    from sim.experiments.validation import run_validation
    from sim.outputs.validation_report import little_summary, observation_lines, write_validation

    validation = run_validation(plan, progress=cfg.progress)
    write_validation(folder, validation)
    print(observation_lines(validation).drop(columns="source").to_string(index=False))
    print(f"\n{little_summary(validation)}")
    for warning in validation.warnings:
        print(f"warning: {warning}")
    print(f"\nReport: {folder / 'validation.html'}")


if __name__ == "__main__":
    main()
