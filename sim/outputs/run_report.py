"""A run's report.html (self-contained): the verdict in plain words first, the map of the units'
on-time share under it, the glossary, then the detail (city totals and the run's figures)."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import pandas as pd

from sim.analysis.summary import RunSummary
from sim.outputs.atomic import write_text
from sim.outputs.figures import save
from sim.outputs.language import number, text
from sim.outputs.unit_map import MapDataError, plot_unit_map
from sim.outputs.verdict import (NAMED, ON_TIME, OVERTIME, basis_sentences, map_caption, glossary_html, overtime_sentence,
                                 status_table_html,
                                 target_status, today_sentences, verdict_html, wait_sentence)

MAP_FILE = "unit_map.png"
REPORT_FILE = "report.html"
DETAIL_KPIS = ("on_time_of_received_pct", "on_time_pct", "abandoned_of_received_pct", "desk_wait_mean_min",
               "desk_wait_p90_min", "lead_time_mean_wd", "in_process", "overdue", "staff_utilisation",
               "overtime_hours_per_officer_week")
DETAIL_FIGURES = ("unit_on_time.png", "unit_wait_p90.png", "wait_distribution.png", "daily_backlog.png",
                  "queue_by_hour.png")
STYLE = ("body{font-family:'DejaVu Sans',sans-serif;max-width:1200px;margin:auto;padding:1em}"
         "table{border-collapse:collapse;font-size:12px;margin-bottom:1em}"
         "td,th{border-bottom:1px solid #ddd;padding:3px 6px;text-align:right}th{background:#f3f3f3}"
         "ul.verdict{font-size:15px;line-height:1.5}figcaption{font-size:12px;color:#444}dd{margin-bottom:.4em}"
         "h1,h2,h3,p,li,dt,dd,figcaption{overflow-wrap:anywhere}"  # a long name (a scenario's) wraps on a phone
         "@media (max-width:600px){figure{margin:1em 0}dd{margin-left:1em}}")  # the map as wide as a phone allows


def image_tag(path: Path, alt: str) -> str:
    """An <img> holding the PNG itself (the page needs no other file)."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" style="max-width:100%">'


# A phone shows the page at its own width (not a shrunk desktop page); a wide table scrolls sideways
# inside its box instead of widening the page.
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'
_TABLE = re.compile(r"<table\b.*?</table>", re.S | re.I)


def scrollable_tables(body: str) -> str:
    """Every table of ``body`` in a box that scrolls sideways when the table is wider than the screen."""
    return _TABLE.sub(lambda m: f'<div class="table-scroll" style="overflow-x:auto">{m.group(0)}</div>', body)


def page(title: str, body: str, language: str, style: str = "") -> str:
    """A self-contained page that fits a phone; ``style``: CSS added to the reports' own."""
    return (f"<!DOCTYPE html><html lang='{language}'><head><meta charset='utf-8'>{VIEWPORT}"
            f"<title>{html.escape(title)}</title><style>{STYLE}{style}</style></head>"
            f"<body>{scrollable_tables(body)}</body></html>")


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
        problem, shown_map = None, image_tag(folder / MAP_FILE, title)
    except MapDataError as exc:
        problem, shown_map = str(exc), f"<p><em>{html.escape(str(exc))}</em></p>"
    s = run.summary
    kpis = s["kpis"]
    sentences = today_sentences(status, run.on_time_target_pct, language)
    sentences += wait_sentence(run.units, run.wait_target_minutes, language)
    missing = run.units[run.units["slug"].isin(status.loc[status["status"] == "misses", "slug"])]
    if len(missing):
        busiest = ", ".join(f"{html.escape(str(r.name))} {html.escape(str(r.busiest_department))} "
                            f"{number(r.staff_utilisation_max, language, 2)}"
                            for r in missing.sort_values(ON_TIME).head(NAMED).itertuples())
        sentences.append(text("v_fix_not_searched", language, busiest=busiest))
    sentences.append(overtime_sentence(bool(s.get("overtime_enabled")), kpis.get(OVERTIME, {}), language))
    sentences.append(text("v_uncertainty", language, reps=s["replications"]))
    sentences += [html.escape(line) for line in basis_sentences(s, language)]
    branches = text("and_branches", language, n=s["centre_branches"]) if s.get("centre_branches") else ""
    body = [f"<h1>{html.escape(text('run_title', language, scenario=s['scenario']))}</h1>",
            f"<p>{html.escape(text('run_intro', language, units=s['units'], branches=branches, start=s['start'], end=s['end'], reps=s['replications'], seed=s['seed']))}</p>",
            verdict_html(sentences, shown_map, map_caption(run.units, label, language), language)]
    table = status_table_html(status, language)
    if table:
        body.append(f"<h3>{text('units_missing', language)}</h3>{table}")
    body.append(glossary_html(language))
    body.append(f"<h2 id='detail'>{text('detail', language)}</h2><h3>{text('city_kpis', language)}</h3>"
                + city_table(kpis).to_html(index=False, border=0))
    body.append(f"<h3>{text('unit_table', language)}</h3>" + unit_table(run.units, language).to_html(index=False, border=0))
    body.append(f"<h3>{text('charts', language)}</h3>")
    body += [image_tag(folder / name, name) for name in DETAIL_FIGURES if (folder / name).is_file()]
    path = folder / REPORT_FILE
    write_text(path, page(s["scenario"], "".join(body), language))
    return problem


def city_table(kpis: dict) -> pd.DataFrame:
    """The city's main KPIs: mean, 95 % low and high as numbers (one column each)."""
    from sim.analysis.kpis import KPIS

    rows = []
    for name in DETAIL_KPIS:
        ci = kpis.get(name) or {}
        if ci.get("mean") is None or pd.isna(ci["mean"]):
            continue
        rows.append({"KPI": name, "unit": KPIS[name].unit, "mean": round(ci["mean"], 2),
                     "95 % low": None if ci.get("ci95_low") is None else round(ci["ci95_low"], 2),
                     "95 % high": None if ci.get("ci95_high") is None else round(ci["ci95_high"], 2)})
    return pd.DataFrame(rows)


UNIT_COLUMNS = ("on_time_of_received_pct", "on_time_of_received_pct_ci95_low", "on_time_of_received_pct_ci95_high",
                "desk_wait_p90_min", "staff_utilisation_max", "overtime_hours_per_officer_week")


def unit_table(units: pd.DataFrame, language: str) -> pd.DataFrame:
    """Every unit and branch by name, lowest on-time share first: its on-time share with the 95 %
    interval, 90th-percentile desk wait, busiest department's utilisation and overtime."""
    shown = units.sort_values("on_time_of_received_pct", kind="stable")
    out = pd.DataFrame({text("column_unit", language): shown["name"],
                        text("column_kind", language): [text(k, language) for k in shown["kind"]]})
    for column in UNIT_COLUMNS:
        if column in shown:
            out[column] = shown[column].map(lambda v: "" if pd.isna(v) else number(v, language, 2))
    return out
