"""``python -m sim.calibrate``: fit the free parameters to the observed totals and write the
calibrated scenario config and a report (see README, "Calibration and sensitivity")."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from omegaconf import DictConfig

from sim.apps.command import fail, hydra_command

if TYPE_CHECKING:
    from sim.experiments.calibration import CalibrationSpec


@hydra_command("sim.experiments.calibration:calibration_spec")  # imported when used: --help loads no engine
def main(cfg: DictConfig, spec: CalibrationSpec, folder: Path) -> None:
    from tqdm.auto import tqdm

    from sim.experiments.calibration import CalibrationError, calibrate
    from sim.outputs.fit_report import calibrated_scenario_yaml, identifiability_table, target_table, write_calibration

    bar = tqdm(total=spec.max_evaluations, desc="calibration: candidates", disable=not cfg.progress)

    def show(step: dict) -> None:
        bar.update(1)
        bar.set_postfix(cost=f"{step['cost']:.3g}")

    try:
        result = calibrate(cfg, spec, progress=show)
    except CalibrationError as exc:
        bar.close()
        if exc.result is not None:  # the search so far, to start the next fit from; no scenario is written
            write_calibration(folder, exc.result, complete=False)
            print(target_table(exc.result).to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
            print("\nBest candidate: " + ", ".join(f"{k}={v:.6g}" for k, v in exc.result.fitted_by_key.items()))
        fail(str(exc))
    bar.close()
    write_calibration(folder, result)
    # By default the scenario goes into the run folder, as a config folder of its own
    # (hydra.searchpath=[file://FOLDER] scenario=NAME selects it); a relative output is taken from
    # the current folder (a developer updating the shipped default: sim/conf/scenario/...).
    output = Path(cfg.calibration.output) if cfg.calibration.output else folder / "scenario" / "calibrated.yaml"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(calibrated_scenario_yaml(cfg, result, output.stem))
    print(target_table(result).to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
    if result.identifiability:
        print("\nWhat the targets pin down (moves: change of each target's error, in tolerances, "
              "for a tenth of the parameter's range):")
        print(identifiability_table(result).to_string(index=False, float_format=lambda v: f"{v:,.3g}"))
    print("\nFitted: " + ", ".join(f"{name} = {value:.6g}" for name, value in result.fitted.items()))
    print(f"{result.evaluations} candidates in {result.wall_seconds:.0f} s")
    print(f"Calibrated scenario: {output}\nReport: {folder}")


if __name__ == "__main__":
    main()
