"""Files and charts of a calibration (targets against simulated values) and of a sensitivity
analysis (tornado chart), and the calibrated scenario written as a Hydra config."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from omegaconf import DictConfig, OmegaConf

from sim.analysis.kpis import KPIS
from sim.experiments.calibration import CalibrationResult
from sim.outputs.csv_files import write_csv
from sim.outputs.atomic import write_text
from sim.outputs.figures import save, subplots
from sim.outputs.run_files import _clean


def calibrated_scenario_yaml(cfg: DictConfig, result: CalibrationResult, name: str) -> str:
    """The scenario section of ``cfg`` and every other fitted key with its fitted value, as a config
    file of the scenario group with its provenance. Fitted keys outside ``scenario`` (the Centre's
    demand, the opening stock, overtime …) are why the file is in Hydra's global package."""
    fitted = OmegaConf.create({"scenario": OmegaConf.to_container(cfg.scenario, resolve=True)})
    for key in result.spec.settings_kept:
        OmegaConf.update(fitted, key, OmegaConf.select(cfg, key), merge=False)
    for key, value in result.fitted_by_key.items():
        current = OmegaConf.select(cfg, key)
        OmegaConf.update(fitted, key, round(value) if isinstance(current, int) else round(float(value), 6),
                         merge=False)
    fitted.scenario.name = name
    fitted.scenario.description = ("Hanoi from 1 July 2025, free parameters fitted to the observations "
                                   + ", ".join(o.name for o in result.spec.targets))
    lines = [
        "# @package _global_",
        f"# Written by `python -m sim.calibrate` on {dt.date.today().isoformat()}: do not edit by hand, re-run it.",
        f"# Fitted on seed {cfg.seed}, replications 0..{result.spec.replications - 1} (common random numbers),"
        f" {result.evaluations} candidates, {result.wall_seconds:.0f} s.",
        "# Fitted: " + ", ".join(f"{p.key} = {result.fitted[p.name]:.6g} (range {p.low:g}..{p.high:g}"
                                  + (f", prior {p.prior_mean:g} ± {p.prior_sd:g}" if p.has_prior else "") + ")"
                                  for p in result.spec.parameters),
        "# Observation (scope, date): observed / simulated mean [95 % CI]",
    ]
    for target_name, t in {**result.targets, **result.checks}.items():
        ci = f" [{t['ci95_low']:.6g}, {t['ci95_high']:.6g}]" if t["ci95_low"] is not None else ""
        lines.append(f"#   {target_name} ({t['scope']}, {t['end']}): {t['observed']:g} / {t['mean']:.6g}{ci}")
    return "\n".join(lines) + "\n" + OmegaConf.to_yaml(fitted)


def write_calibration(folder: Path, result: CalibrationResult, complete: bool = True) -> None:
    """The fit's report; a fit that missed its targets (``complete=False``) is written as
    ``calibration_failed.json`` only: its candidates, to start another fit from."""
    folder.mkdir(parents=True, exist_ok=True)
    if not complete:
        write_text(folder / "calibration_failed.json", json.dumps(_clean(result.as_dict()), indent=2))
        return
    save(plot_targets(result), folder / "calibration.png")
    if result.identifiability:
        write_csv(identifiability_table(result), folder / "identifiability.csv")
    write_text(folder / "calibration.json", json.dumps(_clean(result.as_dict()), indent=2))  # written last


def identifiability_table(result: CalibrationResult) -> pd.DataFrame:
    """One row per fitted parameter: its value, how well the targets (and its prior) know it, the
    verdict, and how much each target's error moves when it moves by a tenth of its range."""
    rows = []
    for p in result.spec.parameters:
        found = result.identifiability["parameters"][p.name]
        rows.append({"parameter": p.name, "value": found["value"], "low": p.low, "high": p.high,
                     "prior": "" if not p.has_prior else f"{p.prior_mean:g} ± {p.prior_sd:g}",
                     "sd_from_targets": found["sd_from_targets"],
                     "sd_given_other_priors": found["sd_given_other_priors"], "sd_with_prior": found["sd_with_prior"],
                     "verdict": found["verdict"],
                     **{f"moves {name}": value for name, value in found["moves"].items()}})
    return pd.DataFrame(rows)


def target_table(result: CalibrationResult) -> pd.DataFrame:
    rows = []
    for kind, items in (("fitted", result.targets), ("check", result.checks)):
        for name, t in items.items():
            rows.append({"target": name, "kind": kind, "scope": t["scope"], "date": t["end"],
                         "observed": t["observed"], "simulated": t["mean"],
                         "ci95_low": t["ci95_low"], "ci95_high": t["ci95_high"],
                         "tolerance": f"{t['tolerance'] * 100:g} %" if t["relative"] else f"{t['tolerance']:g} pt",
                         "within": t["within_tolerance"]})
    return pd.DataFrame(rows)


def plot_targets(result: CalibrationResult) -> Figure:
    """Each target's simulated mean and 95 % CI as a deviation from the observed value, with the
    tolerance band: a point inside the band is a target met."""
    items = {**result.targets, **result.checks}
    fig, ax = subplots(figsize=(8, 0.6 * len(items) + 1.5))
    for row, (name, t) in enumerate(items.items()):
        scale = t["observed"] / 100 if t["relative"] else 1.0
        unit_tol = t["tolerance"] * 100 if t["relative"] else t["tolerance"]
        centre = (t["mean"] - t["observed"]) / scale
        if t["ci95_low"] is None:  # one replication: no interval
            low = high = centre
        else:
            low, high = (t["ci95_low"] - t["observed"]) / scale, (t["ci95_high"] - t["observed"]) / scale
        ax.fill_betweenx([row - 0.3, row + 0.3], -unit_tol, unit_tol, color="tab:green", alpha=0.15)
        ax.errorbar(centre, row, xerr=[[centre - low], [high - centre]], fmt="o",
                    color="tab:blue" if t["within_tolerance"] else "tab:red", capsize=4)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(range(len(items)), [f"{n} ({'%' if t['relative'] else 'pt'})" for n, t in items.items()])
    ax.invert_yaxis()
    ax.set_xlabel("simulated - observed (relative targets in %, shares in percentage points); band = tolerance")
    ax.set_title(f"calibration: {result.evaluations} candidates, {result.spec.replications} replications", fontsize=9)
    fig.tight_layout()
    return fig


def _end(value) -> str:
    """A parameter's value at one end as the tornado labels it: 15,000, 0.3, strict."""
    return f"{value:,.6g}" if isinstance(value, int | float | np.number) else str(value)


def plot_tornado(rows: list[dict], outputs: list[str]) -> Figure:
    """One panel per output: how far each parameter's low and high ends move it from the base run,
    the largest effect at the top, each parameter labelled with the two values it took, the
    x axis in the output's unit."""
    frame = pd.DataFrame(rows)
    base = frame[frame["end"] == "base"].iloc[0]
    params = [p for p in frame["parameter"].unique() if p != "base"]
    fig, axes = subplots(1, len(outputs), figsize=(5.5 * len(outputs), 0.5 * len(params) + 1.8), squeeze=False)
    for ax, output in zip(axes[0], outputs):
        swing = []
        for p in params:
            sub = frame[frame["parameter"] == p].set_index("end")
            label = f"{p} ({_end(sub.loc['low', 'value'])} / {_end(sub.loc['high', 'value'])})"
            swing.append((label, sub.loc["low", output] - base[output], sub.loc["high", output] - base[output]))
        swing.sort(key=lambda s: np.nanmax([abs(s[1]), abs(s[2])]))  # barh draws upwards: largest on top
        y = np.arange(len(swing))
        ax.barh(y, [s[1] for s in swing], height=0.7, color="tab:blue", label="low end")
        ax.barh(y, [s[2] for s in swing], height=0.4, color="tab:orange", label="high end")
        ax.set_yticks(y, [s[0] for s in swing], fontsize=8)
        ax.axvline(0, color="black", lw=0.8)
        unit = KPIS[output].unit if output in KPIS else ""
        ax.set_title(f"{output} (base {base[output]:.4g} {unit})", fontsize=9)
        change_unit = "percentage points" if unit == "%" else unit
        ax.set_xlabel(f"change from base ({change_unit})" if unit else "change from base")
    axes[0][0].legend(fontsize=8, title="parameter at its", title_fontsize=8)
    fig.tight_layout()
    return fig
