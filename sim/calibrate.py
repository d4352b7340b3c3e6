"""``python -m sim.calibrate``: fit the free parameters to the observed totals and write the
calibrated scenario config and a report (see README, "Calibration")."""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.calibration import CalibrationError, calibrate, calibration_spec
from sim.cli import CONFIG_DIR, PROJECT_ROOT, check_command_line, describe, fail
from sim.errors import ConfigError
from sim.schema import register

register()


@hydra.main(config_path=CONFIG_DIR, config_name="config", version_base="1.3")
def run(cfg: DictConfig) -> None:
    try:
        spec = calibration_spec(cfg)
    except ConfigError as exc:
        fail(describe(exc))
    from tqdm.auto import tqdm

    from sim.fit_report import calibrated_scenario_yaml, target_table, write_calibration

    bar = tqdm(total=spec.max_evaluations, desc="calibration: candidates", disable=not cfg.progress)

    def show(step: dict) -> None:
        bar.update(1)
        bar.set_postfix(cost=f"{step['cost']:.3g}")

    try:
        result = calibrate(cfg, spec, progress=show)
    except CalibrationError as exc:
        bar.close()
        fail(str(exc))
    bar.close()
    folder = Path(HydraConfig.get().runtime.output_dir)
    write_calibration(folder, result)
    output = Path(cfg.calibration.output)
    output = output if output.is_absolute() else PROJECT_ROOT / output
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(calibrated_scenario_yaml(cfg, result, output.stem))
    print(target_table(result).to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
    print("\nFitted: " + ", ".join(f"{name} = {value:.6g}" for name, value in result.fitted.items()))
    print(f"{result.evaluations} candidates in {result.wall_seconds:.0f} s")
    print(f"Calibrated scenario: {output}\nReport: {folder}")


def main() -> None:
    check_command_line("config", calibration_spec, sys.argv[1:])
    run()


if __name__ == "__main__":
    main()
