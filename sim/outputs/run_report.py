"""A run's report.html (self-contained): the verdict in plain words first, the map of the units'
on-time share under it, the glossary, then the detail (city totals and the run's figures).
The page comes from ``templates/run_report.html``."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from sim.analysis.summary import RunSummary
from sim.outputs.atomic import write_text
from sim.outputs.figures import save
from sim.outputs.language import TEXTS, markup, number, text
from sim.outputs.templating import render
from sim.outputs.unit_map import MapDataError, plot_unit_map
from sim.outputs.verdict import (NAMED, ON_TIME, OVERTIME, basis_sentences, glossary_terms, map_caption,
                                 overtime_sentence, status_rows, target_status, today_sentences, wait_sentence)

MAP_FILE = "unit_map.png"
REPORT_FILE = "report.html"
DETAIL_KPIS = ("on_time_of_received_pct", "on_time_pct", "abandoned_of_received_pct", "desk_wait_mean_min",
               "desk_wait_p90_min", "lead_time_mean_wd", "in_process", "overdue", "staff_utilisation",
               "overtime_hours_per_officer_week")
DETAIL_FIGURES = ("unit_on_time.png", "unit_wait_p90.png", "wait_distribution.png", "daily_backlog.png",
                  "queue_by_hour.png")


def unit_status(run: RunSummary) -> pd.DataFrame:
    """Each unit's and branch's on-time status against report.on_time_target_pct."""
    return target_status(run.units, ON_TIME, run.on_time_target_pct)


def worst_labelled(status: pd.DataFrame, count: int = NAMED) -> list[str]:
    """The slugs written by name on the map, at most ``count``: the units and Centre branches that
    miss the target, lowest first, then those that may miss (the map places the branches' names)."""
    rank = {"misses": 0, "uncertain": 1}
    short = status[status["status"].isin(list(rank))].assign(rank=lambda t: t["status"].map(rank))
    return list(short.sort_values(["rank", "mean"], kind="stable")["slug"].head(count))


def write_run_report(folder: Path, run: RunSummary) -> str | None:
    """Write unit_map.png and report.html into ``folder`` (the run's figures must be there). Return
    None, or the one-line problem of a map that could not be drawn (damaged map data): the report
    is then written without it, saying so, and the results are not lost."""
    language = run.language
    status = unit_status(run)
    label = text(ON_TIME, language)
    title = text("map_title_kpi", language, label=label)
    try:
        save(plot_unit_map(run.units.set_index("slug")[ON_TIME], label=label, title=title, language=language,
                           labelled=worst_labelled(status), target=run.on_time_target_pct), folder / MAP_FILE)
        problem = None
    except MapDataError as exc:
        problem = str(exc)
    s = run.summary
    kpis = s["kpis"]
    sentences = today_sentences(status, run.on_time_target_pct, language)
    sentences += wait_sentence(run.units, run.wait_target_minutes, language)
    missing = run.units[run.units["slug"].isin(status.loc[status["status"] == "misses", "slug"])]
    if len(missing):
        busiest = Markup(", ").join(Markup("{} {} {}").format(r.name, r.busiest_department,
                                                              number(r.staff_utilisation_max, language, 2))
                                    for r in missing.sort_values(ON_TIME).head(NAMED).itertuples())
        sentences.append(markup("v_fix_not_searched", language, busiest=busiest))
    sentences.append(overtime_sentence(bool(s.get("overtime_enabled")), kpis.get(OVERTIME, {}), language))
    sentences.append(markup("v_uncertainty", language, reps=s["replications"]))
    sentences += basis_sentences(s, language)  # plain text: the template escapes it
    page = render("run_report.html", language, title=s["scenario"], summary=s, sentences=sentences,
                  branches=text("and_branches", language, n=s["centre_branches"]) if s.get("centre_branches") else "",
                  maps=[] if problem else [{"path": folder / MAP_FILE, "title": title,
                                             "caption": map_caption(run.units, label, language)}],
                  problem=problem or "", missing=status_rows(status, language),
                  glossary=glossary_terms(language),
                  city=table_of(city_table(kpis, language)), units=table_of(unit_table(run.units, language)),
                  figures=[folder / name for name in DETAIL_FIGURES if (folder / name).is_file()])
    write_text(folder / REPORT_FILE, page)
    return problem


def table_of(frame: pd.DataFrame) -> dict:
    """A table for the ``table`` macro: its ``columns`` and ``rows`` as Python values (NaN as None),
    numbers left as numbers for the page to write in its language."""
    rows = [[None if isinstance(v, float) and math.isnan(v) else v for v in row]
            for row in frame.astype(object).itertuples(index=False)]
    return {"columns": [str(c) for c in frame.columns], "rows": rows}


def city_table(kpis: dict, language: str = "en") -> pd.DataFrame:
    """The city's main KPIs: mean, 95 % low and high as numbers (one column each), headed and named
    in ``language`` (a KPI without words of its own keeps its key, as the CSVs name it)."""
    from sim.analysis.kpis import KPIS

    rows = []
    for name in DETAIL_KPIS:
        ci = kpis.get(name) or {}
        if ci.get("mean") is None or pd.isna(ci["mean"]):
            continue
        unit = KPIS[name].unit
        rows.append({text("column_kpi", language): text(name, language) if name in TEXTS else name,
                     text("column_measured_in", language): text(f"kpi_unit_{unit}", language) if f"kpi_unit_{unit}" in TEXTS else unit,
                     text("column_mean", language): round(ci["mean"], 2),
                     text("column_low", language): None if ci.get("ci95_low") is None else round(ci["ci95_low"], 2),
                     text("column_high", language): None if ci.get("ci95_high") is None else round(ci["ci95_high"], 2)})
    return pd.DataFrame(rows)


UNIT_COLUMNS = ("on_time_of_received_pct", "on_time_of_received_pct_ci95_low", "on_time_of_received_pct_ci95_high",
                "desk_wait_p90_min", "staff_utilisation_max", "overtime_hours_per_officer_week")


def unit_table(units: pd.DataFrame, language: str) -> pd.DataFrame:
    """Every unit and branch by name, lowest on-time share first: its on-time share with the 95 %
    interval, 90th-percentile desk wait, busiest department's utilisation and overtime."""
    shown = units.sort_values("on_time_of_received_pct", kind="stable")
    out = pd.DataFrame({text("column_unit", language): shown["name"],
                        text("column_kind", language): [text(k, language) for k in shown["kind"]]})
    heads = {"on_time_of_received_pct_ci95_low": text("column_low", language),
             "on_time_of_received_pct_ci95_high": text("column_high", language),
             "staff_utilisation_max": text("column_busiest_utilisation", language)}
    for column in UNIT_COLUMNS:
        if column in shown:
            head = heads.get(column) or (text(column, language) if column in TEXTS else column)
            out[head] = pd.to_numeric(shown[column], errors="coerce")  # the page writes it in its language
    return out
