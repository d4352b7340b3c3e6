"""The files of an ensemble calibration: the ensemble file every command takes (``ensemble.path``),
every candidate tried, the members' spread and a chart of where they lie in each parameter's range."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pandas as pd
import yaml
from omegaconf import DictConfig, OmegaConf

from sim.config.ensemble import Ensemble
from sim.experiments.ensemble import ACCEPT_WITHIN, EnsembleResult
from sim.outputs.atomic import write_text
from sim.outputs.csv_files import write_csv
from sim.outputs.figures import save, subplots
from sim.outputs.run_files import _clean
from sim.version import VERSION

METHOD = ("history matching in waves on common random numbers: wave 1 a Latin hypercube over each parameter's "
          "range, later waves a Gaussian kernel around the candidates not ruled out; a candidate is kept when "
          f"every target, check and pattern is within {ACCEPT_WITHIN:g} tolerance of what was observed")


def _round(value: float) -> float:
    return float(f"{value:.6g}") if math.isfinite(value) else value


def ensemble_document(cfg: DictConfig, result: EnsembleResult, name: str) -> dict:
    """The ensemble file's content (see :mod:`sim.config.ensemble` for its form)."""
    spec, members = result.spec, result.members
    return {"ensemble": {
        "name": name,
        "provenance": {
            "command": "python -m sim.calibrate calibration.method=ensemble", "created": result.created,
            "version": VERSION, "scenario": str(cfg.scenario.name), "seed": int(cfg.seed),
            "replications": spec.replications, "candidates_per_wave": spec.candidates, "waves": spec.waves,
            "candidates": len(result.candidates), "kept": len(result.kept), "members": len(members),
            "wall_seconds": round(result.wall_seconds, 1), "method": METHOD,
            "targets": [o.name for o in spec.targets], "checks": [o.name for o in spec.checks],
            "patterns": [p.name for p in spec.patterns],
        },
        # the mechanisms the members were found under (calibration.settings_kept): every member runs with them
        "settings": {key: OmegaConf.to_container(OmegaConf.create({"v": OmegaConf.select(cfg, key)}))["v"]
                     for key in cfg.calibration.settings_kept},
        "parameters": {p.name: {"key": p.key, "low": p.low, "high": p.high, "description": p.description,
                                "source": p.prior_source or "assumption"} for p in spec.parameters},
        "members": [{k: _round(v) for k, v in c.values.items()} for c in members],
        "fit": [{"wave": c.wave, "worst_error_in_tolerances": _round(c.worst),
                 "simulated": {k: _round(v) for k, v in c.simulated.items()},
                 "reported": {k: _round(v) for k, v in c.reported.items()}} for c in members],
        "spread": _clean(result.spread()),
        "reported": _clean(result.reported_spread()),
    }}


def ensemble_yaml(cfg: DictConfig, result: EnsembleResult, name: str) -> str:
    header = (f"# Written by `python -m sim.calibrate calibration.method=ensemble` on {dt.date.today().isoformat()}: "
              "do not edit by hand, re-run it.\n# Each member is a parameter set within tolerance of every "
              "observation and pattern; every command takes it as ensemble.path.\n")
    return header + yaml.safe_dump(ensemble_document(cfg, result, name), sort_keys=False, allow_unicode=True, width=110)


def candidates_table(result: EnsembleResult) -> pd.DataFrame:
    """One row per candidate tried: wave, parameter values, each target's error in tolerances, kept."""
    member_ids = {id(c) for c in result.members}
    rows = []
    for k, c in enumerate(result.candidates):
        rows.append({"candidate": k, "wave": c.wave, **c.values,
                     **{f"error {name}": e for name, e in c.errors.items()},
                     "worst_error": c.worst, "kept": c.kept, "member": id(c) in member_ids,
                     **{f"reported {name}": v for name, v in c.reported.items()}})
    return pd.DataFrame(rows)


def plot_members(result: EnsembleResult):
    """Each parameter's range (grey) with the candidates tried (small) and the members (large)."""
    spec = result.spec
    fig, axes = subplots(len(spec.parameters), 1, figsize=(7.5, 0.9 + 0.75 * len(spec.parameters)), squeeze=False)
    members = result.members
    for ax, p in zip(axes[:, 0], spec.parameters):
        scale = p.high - p.low
        tried = [(c.values[p.name] - p.low) / scale for c in result.candidates]
        kept = [(c.values[p.name] - p.low) / scale for c in members]
        ax.axhspan(-0.5, 0.5, color="0.92")
        ax.plot(tried, [0] * len(tried), "|", color="0.6", markersize=8)
        ax.plot(kept, [0] * len(kept), "o", color="tab:blue", markersize=5, alpha=0.8)
        ax.set_xlim(-0.02, 1.02)
        ax.set_yticks([])
        ax.set_xticks([0, 0.5, 1])
        ax.set_xticklabels([f"{p.low:g}", f"{(p.low + p.high) / 2:g}", f"{p.high:g}"], fontsize=8)
        ax.set_ylabel(p.name, rotation=0, ha="right", va="center", fontsize=9)
    axes[0, 0].set_title(f"{len(members)} members (dots) of {len(result.candidates)} candidates (ticks)", fontsize=10)
    fig.tight_layout()
    return fig


def write_ensemble(folder: Path, cfg: DictConfig, result: EnsembleResult, output: Path) -> None:
    """The report in ``folder``: ensemble.csv (every candidate), ensemble.png; the ensemble file at
    ``output`` (only with at least one member); ensemble.json (the spreads) last: a folder holding it
    is complete."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(candidates_table(result), folder / "ensemble.csv")
    save(plot_members(result), folder / "ensemble.png")
    if result.members:
        output.parent.mkdir(parents=True, exist_ok=True)
        write_text(output, ensemble_yaml(cfg, result, output.stem))
    summary = {"spread": result.spread(), "reported": result.reported_spread(), "candidates": len(result.candidates),
               "kept": len(result.kept), "members": len(result.members), "wall_seconds": result.wall_seconds}
    write_text(folder / "ensemble.json", json.dumps(_clean(summary), indent=2))


def central_scenario_yaml(scenario_file: Path, ensemble: Ensemble) -> str:
    """The calibrated scenario file with the ensemble's central member and settings set (the point
    answer a run without ``ensemble.path`` gives, so that it rests on the same evidence as the
    range), its comments kept and one line saying where the values came from."""
    text = scenario_file.read_text(encoding="utf-8")
    comments = [line for line in text.splitlines() if line.startswith("#") and "central member" not in line]
    body = OmegaConf.create(yaml.safe_load(text))
    k = ensemble.central()
    values = {key: _round(value) for key, value in ensemble.overrides(k).items()}
    for key, value in {**ensemble.settings, **values}.items():
        OmegaConf.update(body, key, value, merge=False, force_add=True)
    settings = ", ".join(f"{key} = {value}" for key, value in ensemble.settings.items())
    note = (f"# Staff side: the central member (member {k} of {len(ensemble.members)}) of ensemble "
            f"{ensemble.name} ({Path(ensemble.path).name}), written {dt.date.today().isoformat()}: "
            + ", ".join(f"{key} = {value}" for key, value in values.items())
            + (f"; with the ensemble's settings {settings}" if settings else ""))
    return "\n".join(comments + [note]) + "\n" + OmegaConf.to_yaml(body)
