"""``python -m sim.calibrate``: fit the free parameters to the observed totals and write the
calibrated scenario config and a report (see docs/calibration.md, "Calibration and sensitivity"); with
``calibration.method=ensemble``, every parameter set that fits the totals and the staff-side
patterns, written as an ensemble file (docs/calibration.md, "The ensemble")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from omegaconf import DictConfig

from sim.apps.command import fail, hydra_command

if TYPE_CHECKING:
    from sim.experiments.calibration import CalibrationSpec
    from sim.experiments.ensemble import EnsembleSpec

METHODS = ("point", "ensemble", "central")


def checked(cfg: DictConfig) -> CalibrationSpec | EnsembleSpec:
    """The calibration's settings for its method (imported when used: --help loads no engine)."""
    from sim.errors import ConfigError

    method = str(cfg.calibration.method)
    if method not in METHODS:
        raise ConfigError("calibration.method", f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if method == "ensemble":
        from sim.experiments.ensemble import ensemble_spec

        return ensemble_spec(cfg)
    if method == "central":
        return _central_checked(cfg)
    from sim.experiments.calibration import calibration_spec

    return calibration_spec(cfg)


@hydra_command(checked, done=("calibration.json", "calibration_failed.json", "ensemble.json"),
               sections=("calibration",))
def main(cfg: DictConfig, spec: CalibrationSpec | EnsembleSpec, folder: Path) -> None:
    if str(cfg.calibration.method) == "ensemble":
        return _ensemble(cfg, spec, folder)
    if str(cfg.calibration.method) == "central":
        return _central(cfg, spec, folder)
    from tqdm.auto import tqdm

    from sim.experiments.calibration import CalibrationError, calibrate

    from sim.outputs.atomic import write_text
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
    # By default the scenario goes into the run folder, as a config folder of its own
    # (hydra.searchpath=[file://FOLDER] scenario=NAME selects it); a relative output is taken from
    # the current folder (a developer updating the shipped default: sim/conf/scenario/...).
    # It is written before the report, whose calibration.json comes last: a folder holding it is complete.
    output = Path(cfg.calibration.output) if cfg.calibration.output else folder / "scenario" / "calibrated.yaml"
    output.parent.mkdir(parents=True, exist_ok=True)
    write_text(output, calibrated_scenario_yaml(cfg, result, output.stem))
    write_calibration(folder, result)
    print(target_table(result).to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
    if result.identifiability:
        print("\nWhat the targets pin down (moves: change of each target's error, in tolerances, "
              "for a tenth of the parameter's range):")
        print(identifiability_table(result).to_string(index=False, float_format=lambda v: f"{v:,.3g}"))
    print("\nFitted: " + ", ".join(f"{name} = {value:.6g}" for name, value in result.fitted.items()))
    print(f"{result.evaluations} candidates in {result.wall_seconds:.0f} s")
    print(f"Calibrated scenario: {output}\nReport: {folder}")


def _ensemble(cfg: DictConfig, spec: EnsembleSpec, folder: Path) -> None:
    """Run the waves, write the ensemble file and its report, print the spread of each parameter."""
    from tqdm.auto import tqdm

    from sim.experiments.ensemble import calibrate_ensemble
    from sim.outputs.atomic import write_text
    from sim.outputs.ensemble_files import central_scenario_yaml, write_ensemble

    bar = tqdm(total=spec.candidates * spec.waves, desc="ensemble: candidates", disable=not cfg.progress)
    kept = 0

    def show(candidate) -> None:
        nonlocal kept
        kept += candidate.kept
        bar.update(1)
        bar.set_postfix(kept=kept, worst=f"{candidate.worst:.2g}")

    result = calibrate_ensemble(cfg, spec, progress=show)
    bar.close()
    e = cfg.calibration.ensemble
    output = Path(e.output) if e.output else folder / "ensemble.yaml"
    write_ensemble(folder, cfg, result, output)
    print(f"{len(result.candidates)} candidates in {result.wall_seconds:.0f} s; {len(result.kept)} not ruled out, "
          f"{len(result.members)} members")
    for name, s in result.spread().items():
        if s.get("members", 1):
            print(f"  {name:<22} {s['min']:.4g} - {s['max']:.4g} (median {s['median']:.4g}; range "
                  f"{s['low']:g}-{s['high']:g}): {s['verdict']}")
    for name, s in result.reported_spread().items():
        print(f"  {name:<45} {s['min']:.3g} - {s['max']:.3g} (median {s['median']:.3g})")
    if not result.members:
        fail(f"calibration.ensemble: no candidate is within tolerance of every target and pattern; see "
             f"{folder / 'ensemble.csv'} for how close each came")
    if cfg.calibration.output and result.members:  # the shipped default scenario takes the central member
        from sim.config.ensemble import load_ensemble

        scenario = Path(cfg.calibration.output)
        write_text(scenario, central_scenario_yaml(scenario, load_ensemble(str(output), cfg)))
        print(f"Central member written to {scenario}")
    print(f"Ensemble: {output}\nReport: {folder}")


def _central_checked(cfg: DictConfig):
    """``calibration.method=central``: the ensemble (``ensemble.path``) and the scenario file to
    update (``calibration.output``), both checked before anything is written."""
    from sim.config.ensemble import load_ensemble
    from sim.errors import ConfigError

    if not cfg.ensemble.path:
        raise ConfigError("ensemble.path", "calibration.method=central needs an ensemble file (ensemble.path=hanoi_2025)")
    if not cfg.calibration.output or not Path(cfg.calibration.output).is_file():
        raise ConfigError("calibration.output", f"calibration.method=central updates an existing scenario file; "
                                                f"{cfg.calibration.output!r} is not one")
    return load_ensemble(str(cfg.ensemble.path), cfg)


def _central(cfg: DictConfig, ensemble, folder: Path) -> None:
    """Write the ensemble's central member and settings into the scenario file (no simulation): the
    default point answer then rests on the evidence its range rests on."""
    from sim.outputs.atomic import write_text
    from sim.outputs.ensemble_files import central_scenario_yaml

    scenario = Path(cfg.calibration.output)
    write_text(scenario, central_scenario_yaml(scenario, ensemble))
    k = ensemble.central()
    print(f"Central member {k} of {len(ensemble.members)} ({ensemble.name}): "
          + ", ".join(f"{key}={value:.6g}" for key, value in ensemble.overrides(k).items()))
    write_text(folder / "ensemble.json", json.dumps({"central_member": k, "ensemble": ensemble.path,
                                                     "scenario": str(scenario)}, indent=2))
    print(f"Written to {scenario}")


if __name__ == "__main__":
    main()
