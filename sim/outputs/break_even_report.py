"""The files of ``python -m sim.breakeven``: ``break_even.csv`` (one row per unit),
``break_even_map.png`` (each unit's break-even, with the units that gain for every value or for
none as categories of their own), ``report.html`` (the answer in words first, in the report's
language, then the map and a row per unit) and ``summary.json`` (written last)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig

from sim.config.provenance import provenance
from sim.experiments.break_even import VERDICTS, BreakEven
from sim.outputs.atomic import write_json, write_text
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
    gain = "improves the on-time share" if s.kpi == "on_time" else "saves overtime"
    title = (f"Break-even of {s.parameter}: {s.structure} against {s.baseline}\n"
             f"({s.policy}; range {s.low:g} to {s.high:g}; the alternative {gain} {side})")
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
        "policy": s.policy, "kpi": s.kpi, "min_gain": s.min_gain, "tolerance": s.tolerance,
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
    language = str(cfg.report.language)
    write_text(folder / "report.html", report_html(result, folder, language, over, str(missing) if missing else None))
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
        "gain at low": [f"{m:+.2g} [{a:+.2g}, {b:+.2g}]" for m, a, b in
                        zip(t["gain_at_low"], t["gain_at_low_ci95_low"], t["gain_at_low_ci95_high"])],
        "gain at high": [f"{m:+.2g} [{a:+.2g}, {b:+.2g}]" for m, a, b in
                         zip(t["gain_at_high"], t["gain_at_high_ci95_low"], t["gain_at_high_ci95_high"])],
    })


# --- report.html: the answer first, in the report's language ---------------------------------------
def answer_sentences(result: BreakEven, language: str, over=None) -> list[str]:
    """Plain sentences: what was asked (structures in words, the parameter and its assumed range),
    how many units pay everywhere, above a break-even (with the break-evens' spread and the lowest
    named), below one, or nowhere; with ``over``, how far the verdicts hold over the ensemble."""
    from sim.config.build import build_scenario
    from sim.outputs.language import TEXTS, number, plain, text
    from sim.outputs.structure_verdict import described

    s, t = result.setting, result.table
    plans = build_scenario(s.alternative).units
    param_key = f"be_param_{s.parameter}"
    policy_key = f"policy_{s.policy}"
    out = [text("be_intro", language, structure=described(plans, s.structure, language),
                policy=text(policy_key, language) if policy_key in TEXTS else s.policy,
                baseline=described(plans, s.baseline, language), units=len(t),
                parameter=text(param_key, language) if param_key in TEXTS else s.parameter,
                low=plain(s.low, language), high=plain(s.high, language))]

    def names(rows: pd.DataFrame, with_theta: bool = False) -> str:
        if rows.empty:
            return ""
        shown = [f"{r.name} ({number(r.theta_star, language, 3)})" if with_theta else str(r.name)
                 for r in rows.head(NAMED_IN_SENTENCE).itertuples()]
        more = len(rows) - len(shown)
        return ": " + ", ".join(shown) + (f" (+{more})" if more > 0 else "")

    point = []  # the configured parameter set's verdicts
    for verdict in ("gains_everywhere", "gains_above", "gains_below"):
        rows = t[t["verdict"] == verdict]
        if rows.empty:
            continue
        if verdict == "gains_above":
            stars = rows["theta_star"]
            point.append(text("be_gains_above", language, n=len(rows), low=number(stars.min(), language, 3),
                              high=number(stars.max(), language, 3), median=number(stars.median(), language, 3),
                              names=names(rows.sort_values("theta_star"), with_theta=True)))
        else:
            point.append(text(f"be_{verdict}", language, n=len(rows), names=names(rows)))
    point.append(text("be_no_gain", language, n=int((t["verdict"] == "no_gain").sum())))
    if over is not None:  # over an ensemble its answer comes first; the configured set's is one set alone
        out += ensemble_sentences(over, language)
        point = [text("r_point_only", language) + point[0]] + point[1:]
    out += point
    out.append(text("be_uncertainty", language, reps=int(s.base.replications), min_gain=plain(s.min_gain, language),
                    what=text(f"be_gain_{s.kpi}", language)))
    return out


NAMED_IN_SENTENCE = 8


def ensemble_sentences(over, language: str) -> list[str]:
    """Over an ensemble: how many units pay (for every value, or above a break-even) in at least one
    member, the members' break-evens from lowest to highest with the units lowest first, how many
    pay in none; then how many units get the same verdict from every member."""
    from sim.outputs.language import number, text

    t, per_unit = over.table(), over.per_unit()
    pays = t[t["verdict"].isin(["gains_everywhere", "gains_above", "gains_below"])]
    some = per_unit[per_unit["slug"].isin(pays["slug"])].sort_values(["theta_star_min", "name"])
    out = []
    if len(some):
        stars = pays["theta_star"].dropna()
        shown = [f"{r.name} ({number(r.theta_star_min, language, 3)}–{number(r.theta_star_max, language, 3)})"
                 if not math.isnan(r.theta_star_min) else str(r.name) for r in some.head(NAMED_IN_SENTENCE).itertuples()]
        more = len(some) - len(shown)
        out.append(text("be_ensemble_pays", language, members=len(over.members), name=over.ensemble.name,
                        n=len(some), units=len(per_unit),
                        low=number(stars.min(), language, 3) if len(stars) else "–",
                        high=number(stars.max(), language, 3) if len(stars) else "–",
                        names=", ".join(shown) + (f" (+{more})" if more > 0 else ""),
                        none=len(per_unit) - len(some)))
    else:
        out.append(text("be_ensemble_none", language, members=len(over.members), name=over.ensemble.name,
                        units=len(per_unit)))
    counts = per_unit[[c for c in per_unit.columns if c.startswith("members_") and c != "members"]]
    same = counts.max(axis=1) == per_unit["members"]
    differ = per_unit.loc[~same, "name"]
    listed = (": " + ", ".join(differ.head(NAMED_IN_SENTENCE))) if len(differ) else ""
    out.append(text("be_ensemble", language, same=int(same.sum()), units=len(per_unit), differ=len(differ), names=listed))
    return out


def report_html(result: BreakEven, folder: Path, language: str, over=None, problem: str | None = None) -> str:
    """report.html from ``templates/break_even_report.html``: the answer, the map (or why it is
    missing), then one row per unit."""
    from sim.outputs.language import number, plain, text
    from sim.outputs.templating import render

    s, t = result.setting, result.table

    def theta(r) -> str:
        if math.isnan(r.theta_star):
            return ""
        return (f"{number(r.theta_star, language, 3)} [{number(r.theta_star_low, language, 3)}, "
                f"{number(r.theta_star_high, language, 3)}]")

    rows = [[r.name, text(f"be_verdict_{r.verdict}", language), theta(r),
             f"{number(r.gain_at_high, language, 3, signed=True)} "
             f"[{number(r.gain_at_high_ci95_low, language, 3, signed=True)}, "
             f"{number(r.gain_at_high_ci95_high, language, 3, signed=True)}]"] for r in t.itertuples()]
    columns = [text("be_col_unit", language), text("be_col_verdict", language), text("be_col_theta", language),
               text("be_col_change", language, high=plain(s.high, language), what=text(f"be_gain_{s.kpi}", language))]
    return render("break_even_report.html", language, title=text("be_title", language),
                  sentences=answer_sentences(result, language, over), problem=problem or "",
                  map_path=folder / "break_even_map.png", columns=columns, rows=rows)
