"""The validation on disk: validation.csv (one row per observation), offered_load.csv,
littles_law.csv, horizon_growth.csv, and validation.html with all of them and the warnings."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim.experiments.validation import LITTLE_NOTE, Validation
from sim.outputs.csv_files import write_csv
from sim.outputs.atomic import write_text
from sim.outputs.run_files import _clean
from sim.outputs.run_report import table_of
from sim.outputs.templating import render

OVERDUE_NOTE = ("Records in process past their due date are counted with the due date as it stood at the report "
                "date: an extension for missing papers counts from the review that granted it (report counts "
                "in_process_overdue_max, by the due dates without any extension, is an upper bound).")


def write_validation(folder: Path, v: Validation) -> None:
    """Write every table first, the HTML last: a report that is there is complete."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(v.observations, folder / "validation.csv")
    write_csv(v.loads, folder / "offered_load.csv")
    if v.little is not None:
        write_csv(v.little, folder / "littles_law.csv")
    if v.growth is not None:
        write_csv(v.growth, folder / "horizon_growth.csv")
    write_text(folder / "validation.json", json.dumps(_clean({
        "observations": v.observations.to_dict(orient="records"), "warnings": v.warnings,
        "period": [v.plan.scenario.start.isoformat(), v.plan.scenario.end.isoformat()],
        "horizon_end": None if v.plan.horizon_scenario is None else v.plan.horizon_scenario.end.isoformat(),
        "little_window": None if v.plan.horizon_scenario is None
        else [d.isoformat() for d in v.plan.horizon_scenario.little_window],
        "littles_law": little_summary(v),
        "replications": v.plan.scenario.replications, "seed": v.plan.scenario.seed,
        "units": len(v.plan.scenario.units)}), indent=2))
    write_text(folder / "validation.html", validation_html(v))


def observation_lines(v: Validation) -> pd.DataFrame:
    """The observations as a reader sees them: observed, simulated [95 % CI], tolerance, verdict."""
    t = v.observations
    return pd.DataFrame({
        "observation": t["observation"], "figure": t["figure"], "scope": t["scope"],
        "period": t["start"] + " to " + t["end"], "observed": t["observed"].map(_number),
        "simulated [95 % CI]": [_interval(r.simulated, r.ci95_low, r.ci95_high) for r in t.itertuples()],
        "tolerance": t["tolerance"].map(lambda x: "±" + _number(x)),
        "within": t["within_tolerance"].map({True: "yes", False: "NO", None: "n/a"}), "source": t["source"],
    })


def little_summary(v: Validation) -> str:
    """One line: how many stable units meet Little's law, and the range of their ratios."""
    if v.little is None:
        return "Little's law: not checked (no horizon run: validate.horizon_end='')"
    t = v.little
    stable = t[t["stable"]]
    first, last = v.plan.horizon_scenario.little_window
    line = (f"Little's law over {first} to {last} (run to {v.plan.horizon_scenario.end}): "
            f"{int((stable['within_tolerance'] == True).sum())} of {len(stable)} stable units within "  # noqa: E712
            f"±{v.plan.little_tolerance:.0%}")
    if len(stable):
        line += f" (L / (lambda W) from {stable['ratio'].min():.3f} to {stable['ratio'].max():.3f})"
    return line + f"; {len(t) - len(stable)} of {len(t)} units not stable, not checked"


def little_lines(v: Validation) -> pd.DataFrame:
    """Little's law as a reader sees it: L, lambda, W, ratio [95 % CI], stable, within, censored share."""
    t = v.little
    return pd.DataFrame({
        "unit": t["slug"], "max load": t["max_load"].map(lambda x: f"{x:.3f}"),
        "stable": t["stable"].map({True: "yes", False: "no"}),
        "L (records)": t["mean_in_system"].map(_number), "λ (a day)": t["arrivals_per_day"].map(_number),
        "W (days)": t["mean_time_in_system_days"].map(_number),
        "in system at start → end": [f"{_number(r.in_system_start)} → {_number(r.in_system_end)}" for r in t.itertuples()],
        "L / (λ W) [95 % CI]": [_interval(r.ratio, r.ci95_low, r.ci95_high, "{:.3f}") for r in t.itertuples()],
        "within": t["within_tolerance"].map({True: "yes", False: "NO", None: "not checked"}),
        "censored": t["censored_share"].map(lambda x: f"{x:.2%}"),
    })


def _number(x) -> str:
    if x is None or pd.isna(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:,.4g}"


def _interval(mean, low, high, form: str | None = None) -> str:
    show = _number if form is None else form.format
    if mean is None or pd.isna(mean):
        return "n/a"
    if low is None or pd.isna(low):
        return show(mean)
    return f"{show(mean)} [{show(low)}, {show(high)}]"


def validation_html(v: Validation) -> str:
    """validation.html from ``templates/validation_report.html`` (English only: report.language does not reach it)."""
    t = v.observations
    h = v.plan.horizon_scenario
    growth = None
    if v.growth is not None:
        listed = v.growth[v.growth["grows"] | (v.growth["max_load"] >= 1)].sort_values("max_load", ascending=False)
        growth = table_of(listed)
    return render(
        "validation_report.html", "en", title=f"Validation: {v.plan.scenario.name}", s=v.plan.scenario, plan=v.plan,
        h=h, met=int((t["within_tolerance"] == True).sum()),  # noqa: E712 (None: no simulated value)
        warnings=v.warnings, observations=table_of(observation_lines(v)), overdue_note=OVERDUE_NOTE,
        loads=table_of(v.loads.sort_values("offered_load", ascending=False)),
        little=None if v.little is None else table_of(little_lines(v)), little_summary=little_summary(v),
        little_note=LITTLE_NOTE, growth=growth,
        growing=0 if v.growth is None else int(v.growth["grows"].sum()),
        growth_units=0 if v.growth is None else len(v.growth))
