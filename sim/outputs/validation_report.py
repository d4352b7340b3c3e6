"""The validation on disk: validation.csv (one row per observation), offered_load.csv,
littles_law.csv, horizon_growth.csv, and validation.html with all of them and the warnings."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd

from sim.experiments.validation import LITTLE_NOTE, Validation
from sim.outputs.csv_files import write_csv
from sim.outputs.atomic import write_text
from sim.outputs.run_files import _clean
from sim.outputs.run_report import page

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


def little_section(v: Validation) -> str:
    if v.little is None:
        return "<h2>Little's law</h2><p>Not checked: it is measured on the horizon run (validate.horizon_end).</p>"
    h = v.plan.horizon_scenario
    first, last = h.little_window
    return (f"<h2>Little's law: {first} to {last}</h2><p>{html.escape(little_summary(v))}.</p><p>Measured on the "
            f"horizon run ({h.start} to {h.end}) over a window away from both its ends, per unit, means over "
            f"{h.replications} replications with the ratio's 95 % interval. {html.escape(LITTLE_NOTE)} Checked "
            f"(within ±{v.plan.little_tolerance:.0%} of 1) where the unit is stable: every department's offered load "
            f"over the horizon run below {v.plan.stable_load:g}. Censored: share of the window's arrivals still in "
            f"the system on {h.end} (a warning above {v.plan.little_censored_share:.0%}).</p>"
            + little_lines(v).to_html(index=False, border=0))


def validation_html(v: Validation) -> str:
    s = v.plan.scenario
    t = v.observations
    met = int((t["within_tolerance"] == True).sum())  # noqa: E712 (None: no simulated value)
    loads = v.loads.sort_values("offered_load", ascending=False)
    sections = [
        f"<h1>Validation: {html.escape(s.name)}</h1>",
        f"<p>{len(s.units)} units, {s.start} to {s.end}, {s.replications} replications, seed {s.seed}. "
        f"{met} of {len(t)} observations within tolerance. Simulated: mean over replications with its 95 % interval, "
        "counted over the nodes of the observation's scope at the close of its report date, for the records "
        "received from the period's start.</p>",
        "<h2>Warnings</h2>" + ("<ul>" + "".join(f"<li>{html.escape(w)}</li>" for w in v.warnings) + "</ul>"
                               if v.warnings else "<p>None.</p>"),
        "<h2>Observations</h2>" + observation_lines(v).to_html(index=False, border=0) + f"<p>{OVERDUE_NOTE}</p>",
        f"<h2>Offered load</h2><p>Work that reached each department (staff minutes of the records received, and of "
        f"any opening stock) over its staff's session minutes, {s.start} to {s.end}. Above 1, work arrives faster "
        "than the department can do it.</p>" + loads.to_html(index=False, border=0, float_format=lambda x: f"{x:.3f}"),
        little_section(v),
    ]
    if v.growth is not None:
        h = v.plan.horizon_scenario
        growing = v.growth[v.growth["grows"]]
        listed = v.growth[v.growth["grows"] | (v.growth["max_load"] >= 1)].sort_values("max_load", ascending=False)
        sections.append(
            f"<h2>Horizon stability: {h.start} to {h.end}</h2><p>The same scenario run to {h.end}: the slope of each "
            "unit's daily records in process over the second half of the run (records a day, mean over replications "
            "with its 95 % interval). A unit's backlog grows without bound when the interval lies above 0 and a "
            f"department's offered load is at least 1: {len(growing)} of {len(v.growth)} units. Listed: those, and "
            "every unit with a department at load 1 or more (with few replications the interval may not tell "
            "its growth from noise).</p>"
            + (listed.to_html(index=False, border=0, float_format=lambda x: f"{x:.3f}") if len(listed)
               else "<p>No unit.</p>"))
    return page(f"Validation: {s.name}", "".join(sections), "en")  # English only: report.language does not reach it
