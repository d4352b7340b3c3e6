"""The files of ``python -m sim.breakeven``: ``break_even.csv`` (one row per unit),
``break_even_map.png`` (each unit's break-even, with the units that gain for every value or for
none as categories of their own) and ``summary.json`` (written last)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig

from sim.config.provenance import provenance
from sim.experiments.break_even import VERDICTS, BreakEven
from sim.outputs.atomic import write_json
from sim.outputs.csv_files import write_csv
from sim.outputs.figures import save
from sim.outputs.unit_map import MapDataError, NO_VALUE, plot_unit_map

CATEGORY_COLOURS = {"gains_everywhere": "#e7298a", "no_gain": "#636363"}  # outside the viridis scale of θ*
NOT_ANALYSED = "not analysed (same departments, or not chosen)"
MAX_NAMED = 8  # more names than this crowd the map: then only the LOWEST_NAMED lowest break-evens are named
LOWEST_NAMED = 5


def plot_break_even(result: BreakEven):
    """The map of θ* per unit on the scale of the parameter's range; the units with a verdict
    but no θ* in their own colours, the units not analysed in light grey."""
    from sim.outputs.unit_map import unit_shapes

    s, table = result.setting, result.table.set_index("slug")
    values = table["theta_star"].where(table["verdict"].isin(["gains_above", "gains_below"]))
    categories = {slug: (VERDICTS[v], CATEGORY_COLOURS[v]) for slug, v in table["verdict"].items()
                  if v in CATEGORY_COLOURS}
    categories.update({shape.slug: (NOT_ANALYSED, NO_VALUE) for shape in unit_shapes() if shape.slug not in table.index})
    below = (table["verdict"] == "gains_below").any()
    side = "above or below it, as the CSV says" if below else "for values above it"
    title = (f"Break-even of {s.parameter}: {s.structure} against {s.baseline}\n"
             f"({s.policy}; range {s.low:g} to {s.high:g}; the alternative improves the on-time share {side})")
    named = list(table.index) if len(table) <= MAX_NAMED else list(values.dropna().sort_values().index[:LOWEST_NAMED])
    return plot_unit_map(values.dropna(), label=f"break-even value of {s.parameter}", title=title, branches=False,
                         categories=categories, limits=(s.low, s.high), labelled=named, zoom=list(table.index))


def summary(result: BreakEven, cfg: DictConfig) -> dict:
    """The short summary: the setting, how many units fall under each verdict, the θ* quartiles."""
    s, table = result.setting, result.table
    stars = table.loc[table["verdict"].isin(["gains_above", "gains_below"]), "theta_star"].dropna()

    def number(x) -> float | None:
        return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)

    return {
        "parameter": s.parameter, "range": [s.low, s.high], "baseline": s.baseline, "structure": s.structure,
        "policy": s.policy, "kpi": "on_time_of_received_pct", "min_gain": s.min_gain, "tolerance": s.tolerance,
        "replications": int(cfg.replications), "units": len(table),
        "verdicts": {VERDICTS[v]: int((table["verdict"] == v).sum()) for v in VERDICTS},
        "theta_star": {"min": number(stars.min()) if len(stars) else None,
                       "median": number(stars.median()) if len(stars) else None,
                       "max": number(stars.max()) if len(stars) else None},
        "evaluations": int(table["evaluations"].sum()),
        "provenance": provenance(cfg),
    }


def write_break_even(folder: Path, result: BreakEven, cfg: DictConfig, over=None) -> None:
    """Write the three files, ``summary.json`` last (with ``over``, an
    :class:`~sim.experiments.over_ensemble.EnsembleBreakEven`, each unit's verdicts and θ* range over
    its members); damaged map data leaves the map out (and is raised once the rest is written)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(result.table, folder / "break_even.csv")
    missing = None
    try:
        save(plot_break_even(result), folder / "break_even_map.png")
    except MapDataError as exc:
        missing = exc
    out = {**summary(result, cfg), "warnings": [str(missing)] if missing else []}
    if over is not None:
        out["ensemble"] = {"path": over.ensemble.path, "name": over.ensemble.name, "members": len(over.members),
                           "units": over.per_unit().to_dict(orient="records")}
    write_json(folder / "summary.json", out)
    if missing is not None:
        raise missing


def headline(result: BreakEven) -> pd.DataFrame:
    """The printed table: unit, verdict, θ* with its interval, the change at each end."""
    t = result.table
    return pd.DataFrame({
        "unit": t["slug"], "verdict": t["verdict_words"],
        "break-even": [f"{x:.4g} [{a:.4g}, {b:.4g}]" if not math.isnan(x) else "" for x, a, b in
                       zip(t["theta_star"], t["theta_star_low"], t["theta_star_high"])],
        "change at low (points)": [f"{m:+.2g} [{a:+.2g}, {b:+.2g}]" for m, a, b in
                          zip(t["change_at_low"], t["change_at_low_ci95_low"], t["change_at_low_ci95_high"])],
        "change at high (points)": [f"{m:+.2g} [{a:+.2g}, {b:+.2g}]" for m, a, b in
                           zip(t["change_at_high"], t["change_at_high_ci95_low"], t["change_at_high_ci95_high"])],
    })
