"""Writing a run to disk (JSON, CSV, PNG) and printing its short summary."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.analysis.unit_counts import VISIT_KINDS_ALL
from sim.analysis.scopes import CENTRE_KIND
from sim.analysis.summary import RunSummary
from sim.outputs.csv_files import write_csv
from sim.outputs.atomic import write_json
from sim.outputs.figures import mark_axis_break, save, subplots
from sim.outputs.run_report import write_run_report

RUN_FILES = ("summary.json", "units.csv", "departments.csv", "daily.csv", "counter_groups.csv",
             "wait_distribution.png", "daily_backlog.png", "unit_on_time.png", "queue_by_hour.png",
             "unit_wait_p90.png", "unit_map.png", "report.html")


def _clean(value):
    """JSON has no NaN: write null instead."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def write_run(folder: Path, run: RunSummary) -> list[str]:
    """Write every file of a run; summary.json goes last so a folder with it is complete. Return the
    problems met on the way that did not stop it (a map that could not be drawn), one line each;
    they are also among summary.json's ``warnings``."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(run.units, folder / "units.csv")
    write_csv(run.departments, folder / "departments.csv")
    write_csv(run.daily, folder / "daily.csv")
    write_csv(run.counter_groups, folder / "counter_groups.csv")
    save(plot_waits(run), folder / "wait_distribution.png")
    save(plot_backlog(run), folder / "daily_backlog.png")
    save(plot_unit_on_time(run), folder / "unit_on_time.png")
    save(plot_queue_by_hour(run), folder / "queue_by_hour.png")
    save(plot_unit_wait_p90(run), folder / "unit_wait_p90.png")
    problem = write_run_report(folder, run)  # report.html and unit_map.png, from the figures above
    problems = [problem] if problem else []
    summary = {**run.summary, "warnings": [*run.summary.get("warnings", []), *problems]}
    write_json(folder / "summary.json", _clean(summary))
    return problems


def _title(run: RunSummary) -> str:
    s = run.summary
    def count(n: int, noun: str) -> str:
        return f"{n} {noun}" + ("" if n == 1 else ("es" if noun.endswith("ch") else "s"))

    nodes = count(s["units"], "unit") + (f" + {count(s['centre_branches'], 'Centre branch')}" if s.get("centre_branches") else "")
    return f"{s['scenario']} / {s['structure']}: {nodes}, {s['start']} to {s['end']}, {s['replications']} rep."


WAIT_BIN_MINUTES = 0.5  # bar width of the wait distribution plot


def plot_waits(run: RunSummary) -> Figure:
    """Left: how positive waits are distributed; right: share of citizens waiting longer than x
    (both from every served citizen's exact wait)."""
    waits = np.sort(run.waits)
    total = len(waits)
    fig, (left, right) = subplots(1, 2, figsize=(11, 4.2))
    if total:
        reach = max(float(np.quantile(waits, 0.999, method="inverted_cdf")), 20 * WAIT_BIN_MINUTES)
        shown = int(np.ceil(reach / WAIT_BIN_MINUTES)) + 1  # up to the 99.9th percentile
        edges = np.arange(shown + 1) * WAIT_BIN_MINUTES
        counts, _ = np.histogram(waits, bins=edges)
        waited = counts[1:].sum()
        left.stairs(counts[1:] / max(waited, 1) * 100, edges[1:], fill=True, alpha=0.7)
        left.set_title(f"waits over {WAIT_BIN_MINUTES:g} min ({100 * waited / total:.1f} % of served)", fontsize=9)
        longer = total - np.searchsorted(waits, edges[1:], side="right")  # waited longer than x
        right.plot(edges[1:], 100 * longer / total, color="tab:red")
        if longer[-1] > 0:  # a log axis needs some citizen to have waited that long
            right.set_yscale("log")
    left.set_xlabel("desk wait (minutes)")
    left.set_ylabel("% of those who waited")
    right.set_xlabel("desk wait x (minutes)")
    right.set_ylabel("% of served citizens waiting longer than x")
    right.grid(True, which="both", alpha=0.3)
    fig.suptitle(_title(run), fontsize=9)
    fig.tight_layout()
    return fig


def plot_backlog(run: RunSummary) -> Figure:
    """City arrivals and completions per day, and the records in process at the end of each day."""
    d = run.daily
    fig, ax = subplots(figsize=(9, 4.5))
    ax.plot(range(len(d)), d["in_process"], label="in process (end of day)")
    ax.bar(range(len(d)), d["arrivals"], alpha=0.3, label="arrivals")
    ax.bar(range(len(d)), d["completions"], alpha=0.3, label="completions")
    ticks = list(range(0, len(d), 7))
    ax.set_xticks(ticks, [d["date"][k] for k in ticks], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("records")
    ax.legend()
    ax.set_title(_title(run), fontsize=9)
    fig.tight_layout()
    return fig


KIND_COLOURS = {"ward": "tab:blue", "commune": "tab:green", CENTRE_KIND: "tab:purple"}


def plot_unit_on_time(run: RunSummary) -> Figure:
    """Per unit, every record received whose outcome is known, split into finished on time,
    late (finished late or overdue in process) and abandoned at the desk, sorted by on time."""
    u = run.units.sort_values("on_time_of_received_pct")
    on_time = u["on_time_of_received_pct"].to_numpy(dtype=float)
    abandoned = u["abandoned_of_received_pct"].to_numpy(dtype=float)
    late = np.clip(100 - on_time - abandoned, 0, None)
    fig, ax = subplots(figsize=(10, 4.5))
    x = np.arange(len(u))
    colours = u["kind"].map(KIND_COLOURS).to_numpy()
    ax.bar(x, on_time, color=colours)
    ax.bar(x, late, bottom=on_time, color="tab:orange")
    ax.bar(x, abandoned, bottom=on_time + late, color="tab:red")
    legend = [Patch(color=KIND_COLOURS[kind], label=f"on time ({kind})") for kind in KIND_COLOURS
              if kind in set(u["kind"]) or kind != CENTRE_KIND]
    legend += [Patch(color="tab:orange", label="late"), Patch(color="tab:red", label="abandoned at the desk")]
    ax.set_xticks(x, u["slug"], rotation=90, fontsize=5 if len(u) > 40 else 8)
    low = np.nanmin(on_time) if np.isfinite(on_time).any() else 0
    ax.set_ylim(max(0, low - 2), 100.5)
    ax.set_ylabel("% of records received (outcome known)")
    mark_axis_break(ax)
    ax.legend(handles=legend, fontsize=7, loc="lower right")
    ax.set_title(_title(run), fontsize=9)
    fig.tight_layout()
    return fig


def plot_unit_wait_p90(run: RunSummary) -> Figure:
    """Each unit's (and Centre branch's) 90th-percentile desk wait, sorted, coloured by kind, with
    its 95 % interval over replications and the wait target as a line: how the waits spread."""
    u = run.units.sort_values("desk_wait_p90_min", kind="stable")
    p90 = u["desk_wait_p90_min"].to_numpy(dtype=float)
    fig, ax = subplots(figsize=(10, 4.5))
    x = np.arange(len(u))
    ax.bar(x, p90, color=u["kind"].map(KIND_COLOURS).fillna("tab:gray").to_numpy())
    handles = [Patch(color=KIND_COLOURS[kind], label="Centre branch" if kind == CENTRE_KIND else kind)
               for kind in KIND_COLOURS if kind in set(u["kind"])]
    top = np.nanmax(p90) if np.isfinite(p90).any() else 0.0
    if {"desk_wait_p90_min_ci95_low", "desk_wait_p90_min_ci95_high"} <= set(u.columns):
        low = u["desk_wait_p90_min_ci95_low"].to_numpy(dtype=float)
        high = u["desk_wait_p90_min_ci95_high"].to_numpy(dtype=float)
        shown = np.isfinite(low) & np.isfinite(high)
        if shown.any():  # one replication has no interval
            handles.append(ax.vlines(x[shown], low[shown], high[shown], color="black", lw=0.6,
                                     label="95 % interval over replications"))
            top = max(top, float(high[shown].max()))
    target = run.wait_target_minutes
    headline = f"{len(u)} units and branches"
    if math.isfinite(target):
        handles.append(ax.axhline(target, color="tab:red", ls="--", lw=1, label=f"wait target {target:g} min"))
        headline = f"{int(np.sum(p90 > target))} of {len(u)} with a 90th-percentile wait over the {target:g} min target"
    ax.set_xticks(x, u["slug"], rotation=90, fontsize=5 if len(u) > 40 else 8)
    ax.set_ylim(0, max(top, target if math.isfinite(target) else 0.0) * 1.1 or 1.0)
    ax.set_ylabel("90th-percentile desk wait (minutes)")
    ax.set_xlabel("unit or Centre branch, sorted by its 90th-percentile wait")
    ax.legend(handles=handles, fontsize=7, loc="upper left")
    ax.set_title(f"{_title(run)}\n{headline}", fontsize=9)
    fig.tight_layout()
    return fig


def _shown_hours(run: RunSummary) -> tuple[int, int]:
    """The clock hours [first, last) to draw: the opening hours and any hour where somebody waited."""
    first, last = run.opening_hours
    values = run.queue_by_hour.drop(columns="hour").to_numpy(dtype=float)
    busy = np.flatnonzero(np.nan_to_num(values).max(axis=1) > 0)
    if len(busy):
        first, last = min(first, int(busy[0])), max(last, int(busy[-1]) + 1)
    return first, last


def plot_queue_by_hour(run: RunSummary) -> Figure:
    """Citizens waiting in the desk queue by clock hour (time-average within the hour): the median
    and the 90th percentile over open days, for the whole city and for one unit."""
    table, days = run.queue_by_hour, run.queue_days
    first, last = _shown_hours(run)
    edges = np.arange(first, last + 1)
    fig, axes = subplots(1, 2, figsize=(11, 4.6))
    name = run.units.loc[run.units["slug"] == run.queue_unit, "name"]
    reps = run.summary["replications"]

    def per_rep(n: int) -> str:  # the days a quantile is over, replications together
        return f"{n // reps} open days x {reps} rep." if reps > 1 and n % reps == 0 else f"{n} open days"

    lines = "every unit's and Centre branch's line" if run.summary.get("centre_branches") else "every unit's line"
    panels = (("city", f"city: {lines} added up\nover {per_rep(days.get('city', 0))}"),
              ("unit", f"{run.queue_unit}{f' ({name.iloc[0]})' if len(name) else ''}\n{run.queue_unit_chosen_by}, "
                       f"over {per_rep(days.get('unit', 0))}"))
    for ax, (who, title) in zip(axes, panels):
        rows = table.iloc[first:last]
        ax.stairs(rows[f"{who}_p90"], edges, fill=True, alpha=0.25, color="tab:blue", label="90th percentile of days")
        ax.stairs(rows[f"{who}_p90"], edges, color="tab:blue", linewidth=0.8)
        ax.stairs(rows[f"{who}_median"], edges, color="tab:blue", linewidth=2, label="median day")
        ax.set_xticks(edges, [f"{h:02d}:00" for h in edges], rotation=45, ha="right", fontsize=8)
        ax.set_xlim(first, last)
        ax.set_ylim(bottom=0)
        if not np.nan_to_num(rows[[f"{who}_p90", f"{who}_median"]].to_numpy(dtype=float)).any():
            ax.set_ylim(0, 1)  # nobody waited: an empty axis from 0, not matplotlib's [-0.05, 0.05]
        ax.set_xlabel("hour of the day (clock time)")
        ax.set_ylabel("citizens waiting in the desk queue\n(time-average within the hour)")
        ax.set_title(title, fontsize=9)
        ax.grid(True, axis="y", alpha=0.3)
        ax.legend(fontsize=8, loc="upper right")
    fig.suptitle("Desk queue by hour of the day, over open days: " + _title(run), fontsize=9)
    fig.tight_layout()
    return fig


def _fmt(ci: dict) -> str:
    if ci["mean"] is None:
        return "n/a"
    m = ci["mean"]
    digits = 0 if abs(m) >= 1000 else 2
    if ci["ci95_low"] is None:
        return f"{m:,.{digits}f}"
    return f"{m:,.{digits}f}  [{ci['ci95_low']:,.{digits}f}, {ci['ci95_high']:,.{digits}f}]"


SHORT = {"desk_wait_mean_min": "wait_mean", "desk_wait_p90_min": "wait_p90", "on_time_pct": "on_time_%proc",
         "on_time_of_received_pct": "on_time_%recv", "abandoned_of_received_pct": "abandon_%",
         "staff_utilisation": "util_mean", "staff_utilisation_max": "util_max", "busiest_department": "busiest",
         "overtime_hours_per_officer_week": "overtime_h/wk"}
OVERTIME_KPIS = ("overtime_hours", "overtime_hours_per_officer_week")  # printed when staff.overtime.enabled
# printed when desks.visits has a share above 0 (sim.engines.visits)
VISIT_KPIS = tuple(name for kind in VISIT_KINDS_ALL for name in (f"visits_{kind}", f"desk_wait_mean_{kind}_min"))


def answer_basis_lines(summary: dict) -> list[str]:
    """What the answer rests on, for the console (the same sentences as the reports' first screen)."""
    from sim.outputs.verdict import basis_sentences

    return [""] + basis_sentences(summary, "en")


def format_summary(run: RunSummary, top: int) -> str:
    """City totals with 95 % intervals and the units with the worst desk waits and on-time shares."""
    lines = [_title(run)]
    lines += [f"warning: {w}" for w in run.summary.get("warnings", [])]
    lines += answer_basis_lines(run.summary)
    scopes = run.summary.get("scopes", {})
    overtime = run.summary.get("overtime_enabled", False)
    visits = run.summary.get("visits_enabled", False)
    shown = [name for name in run.summary["kpis"]
             if (overtime or name not in OVERTIME_KPIS) and (visits or name not in VISIT_KPIS)]
    if len(scopes) > 2:  # units and the Centre: each scope side by side, so each report meets its own
        lines += ["", ("City totals by scope (mean over replications [95 % CI]): units = wards and communes, "
                       "centre = the City Centre's branches, all = both")]
        lines.append(f"  {'':<32}" + "".join(f"{scope:<34}" for scope in scopes))
        for name in shown:
            lines.append(f"  {name:<32}" + "".join(f"{_fmt(_clean(scopes[s][name])):<34}" for s in scopes).rstrip())
    else:
        lines += ["", "City totals (mean over replications [95 % CI]):"]
        for name in shown:
            lines.append(f"  {name:<32}{_fmt(_clean(run.summary['kpis'][name]))}")
    busy = run.summary.get("busy_departments")
    if busy:
        lines.append(f"  departments with staff utilisation over {busy['threshold']:g}: {busy['count']} of {busy['of']}")
    columns = ["slug", "kind", "desks", "staff", "desk_wait_mean_min", "desk_wait_p90_min", "on_time_pct",
               "on_time_of_received_pct", "abandoned_of_received_pct", "staff_utilisation", "staff_utilisation_max",
               "busiest_department"] + (["overtime_hours_per_officer_week"] if overtime else [])
    if top:
        worst_wait = run.units.sort_values("desk_wait_mean_min", ascending=False).head(top)[columns].rename(columns=SHORT)
        worst_on_time = run.units.sort_values("on_time_of_received_pct").head(top)[columns].rename(columns=SHORT)
        lines += ["", "Unit tables: waits in minutes; on_time_%proc of processed, on_time_%recv and abandon_% of the "
                  "records received whose outcome is known; util_mean and util_max: staff utilisation, mean and "
                  "busiest department (busiest)" + ("; overtime_h/wk: overtime hours per officer and week" if overtime else ""),
                  "", f"Units with the longest mean desk wait (top {top}):",
                  worst_wait.to_string(index=False, float_format=lambda v: f"{v:.2f}"),
                  "", f"Units with the lowest on-time share of records received (top {top}):",
                  worst_on_time.to_string(index=False, float_format=lambda v: f"{v:.2f}")]
    return "\n".join(lines)
