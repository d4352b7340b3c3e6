"""The leaders' comparison on disk: report.html (self-contained), comparison.csv and .xlsx, PNG
plots, and every variant's own run files."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.experiments.comparison import GROUPS, HEADLINE, MOVERS_KPI, Comparison
from sim.outputs.csv_files import write_csv
from sim.outputs.figures import save, subplots
from sim.outputs.run_files import write_run

DIFFERENCE_KPIS = ("on_time_of_received_pct", "abandoned_of_received_pct", "overdue", "lead_time_mean_wd",
                   "in_process", "staff_utilisation")
LABELS = {
    "on_time_of_received_pct": "on time (% of received)", "abandoned_of_received_pct": "abandoned (% of received)",
    "on_time_pct": "on time (% of processed)", "overdue": "overdue records", "desk_wait_mean_min": "mean desk wait (min)",
    "desk_wait_p90_min": "90th pct desk wait (min)", "lead_time_mean_wd": "lead time (working days)",
    "in_process": "backlog on the last day", "staff_utilisation": "staff utilisation",
    "approver_utilisation": "head utilisation",
}


def headline_table(comparison: Comparison, group: str) -> pd.DataFrame:
    """Variant rows, headline KPI columns as 'mean [95 % CI]'."""
    return _wide(comparison, group, "mean", "ci95_low", "ci95_high", signed=False)


def difference_table(comparison: Comparison, group: str) -> pd.DataFrame:
    """Variant rows (baseline left out), headline KPI columns as paired 'difference [95 % CI]'."""
    table = _wide(comparison, group, "diff_mean", "diff_ci95_low", "diff_ci95_high", signed=True)
    return table[table["variant"] != comparison.runs[0].variant.name]


def _wide(comparison: Comparison, group: str, mean: str, low: str, high: str, signed: bool) -> pd.DataFrame:
    t = comparison.table[(comparison.table["group"] == group) & comparison.table["kpi"].isin(HEADLINE)]
    rows = []
    for variant, sub in t.groupby("variant", sort=False):
        sub = sub.set_index("kpi")
        rows.append({"variant": variant, **{LABELS[k]: _interval(sub.at[k, mean], sub.at[k, low], sub.at[k, high], signed)
                                            for k in HEADLINE}})
    return pd.DataFrame(rows)


def verdict(comparison: Comparison) -> list[str]:
    """Plain sentences: each variant's paired change of the on-time share of records received, the
    abandoned share beside it, overdue records and lead time, for wards and communes, saying whether the 95 % interval excludes no change."""
    t = comparison.table
    lines = []
    for run in comparison.runs[1:]:
        parts = []
        for group in ("ward", "commune"):
            sub = t[(t["variant"] == run.variant.name) & (t["group"] == group)].set_index("kpi")
            if sub.empty:
                continue
            said = []
            for kpi, unit in (("on_time_of_received_pct", " pt"), ("abandoned_of_received_pct", " pt"), ("overdue", ""),
                              ("lead_time_mean_wd", " wd")):
                r = sub.loc[kpi]
                if r["diff_mean"] == 0 and r["diff_ci95_low"] == 0 and r["diff_ci95_high"] == 0:
                    continue
                clear = pd.notna(r["diff_ci95_low"]) and (r["diff_ci95_low"] > 0 or r["diff_ci95_high"] < 0)
                said.append(f"{LABELS[kpi]} {r['diff_mean']:+.2f}{unit}" + ("" if clear else " (not distinguishable from 0)"))
            parts.append(f"{group}s: " + ("; ".join(said) if said else "unchanged"))
        lines.append(f"<b>{html.escape(run.variant.name)}</b>: " + " | ".join(parts))
    return lines


def _interval(mean, low, high, signed: bool = False) -> str:
    if mean is None or pd.isna(mean):
        return "n/a"
    digits = 0 if abs(mean) >= 100 and not signed else 2
    fmt = f"{{:{'+' if signed else ''},.{digits}f}}"
    text = fmt.format(mean)
    if low is None or pd.isna(low):
        return text
    return f"{text} [{fmt.format(low)}, {fmt.format(high)}]"


def write_comparison(folder: Path, comparison: Comparison) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for run in comparison.runs:
        write_run(folder / "variants" / run.variant.name.replace("/", "__"), run.summary)
    write_csv(comparison.table, folder / "comparison.csv")
    groups = [g for g in GROUPS if (comparison.table["group"] == g).any()]
    tables = {g: (headline_table(comparison, g), difference_table(comparison, g)) for g in groups}
    with pd.ExcelWriter(folder / "comparison.xlsx") as excel:
        for group, (levels, differences) in tables.items():
            levels.to_excel(excel, sheet_name=f"headline_{group}", index=False)
            differences.to_excel(excel, sheet_name=f"differences_{group}", index=False)
        for name, movers in comparison.movers.items():
            movers.to_excel(excel, sheet_name=name.replace("/", " ")[:31], index=False)
        comparison.table.to_excel(excel, sheet_name="all_kpis", index=False)
    plots = {
        "on_time_by_group.png": plot_groups(comparison, "on_time_of_received_pct"),
        "abandoned_by_group.png": plot_groups(comparison, "abandoned_of_received_pct"),
        "lead_time_by_group.png": plot_groups(comparison, "lead_time_mean_wd"),
        "differences.png": plot_differences(comparison),
    }
    for name, fig in plots.items():
        save(fig, folder / name)
    (folder / "report.html").write_text(_html(comparison, tables, folder, list(plots)), encoding="utf-8")


def plot_groups(comparison: Comparison, kpi: str) -> Figure:
    """One KPI for the city, wards and communes, a bar per variant with its 95 % interval."""
    t = comparison.table[comparison.table["kpi"] == kpi]
    variants = list(dict.fromkeys(t["variant"]))
    groups = [g for g in GROUPS if (t["group"] == g).any()]
    fig, ax = subplots(figsize=(10, 4))
    width = 0.8 / len(variants)
    for k, v in enumerate(variants):
        sub = t[t["variant"] == v].set_index("group").loc[groups]
        err = np.array([sub["mean"] - sub["ci95_low"].fillna(sub["mean"]), sub["ci95_high"].fillna(sub["mean"]) - sub["mean"]])
        ax.bar(np.arange(len(groups)) + k * width, sub["mean"], width, yerr=err, capsize=3, label=v)
    ax.set_xticks(np.arange(len(groups)) + width * (len(variants) - 1) / 2, groups)
    ax.set_ylabel(LABELS.get(kpi, kpi))
    lows = t["ci95_low"].fillna(t["mean"])
    if kpi.endswith("_pct"):
        highs = t["ci95_high"].fillna(t["mean"])
        if float(lows.min()) > 50:  # shares near 100 %: start the axis just below the lowest bound
            ax.set_ylim(max(0, float(lows.min()) - 2), 100)
        else:
            ax.set_ylim(0, min(100, max(1.0, float(highs.max()) * 1.2)))
    ax.legend(fontsize=7)
    ax.set_title(f"{LABELS.get(kpi, kpi)} by structure, 95 % confidence intervals", fontsize=9)
    fig.tight_layout()
    return fig


def plot_differences(comparison: Comparison) -> Figure:
    """Each variant's paired difference to the baseline with its 95 % interval, a panel per KPI."""
    t = comparison.table[(comparison.table["variant"] != comparison.runs[0].variant.name)
                         & comparison.table["kpi"].isin(DIFFERENCE_KPIS)]
    variants = list(dict.fromkeys(t["variant"]))
    fig, axes = subplots(1, len(DIFFERENCE_KPIS), figsize=(4 * len(DIFFERENCE_KPIS), 0.6 * len(variants) * 3 + 1.5),
                             squeeze=False)
    for ax, kpi in zip(axes[0], DIFFERENCE_KPIS):
        y = 0
        ticks = []
        for v in variants:
            for g in GROUPS:
                r = t[(t["variant"] == v) & (t["kpi"] == kpi) & (t["group"] == g)]
                if r.empty:
                    continue
                r = r.iloc[0]
                low = r["diff_mean"] - (r["diff_ci95_low"] if pd.notna(r["diff_ci95_low"]) else r["diff_mean"])
                high = (r["diff_ci95_high"] if pd.notna(r["diff_ci95_high"]) else r["diff_mean"]) - r["diff_mean"]
                ax.errorbar(r["diff_mean"], y, xerr=[[low], [high]], fmt="o", capsize=3,
                            color={"city": "black", "ward": "tab:blue", "commune": "tab:green"}[g])
                ticks.append(f"{v} ({g})")
                y += 1
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(range(len(ticks)), ticks if ax is axes[0][0] else [""] * len(ticks), fontsize=7)
        ax.invert_yaxis()
        ax.set_title(f"Δ {LABELS[kpi]}", fontsize=9)
    fig.suptitle(f"paired differences to {comparison.runs[0].variant.name} (95 % CI)", fontsize=10)
    fig.tight_layout()
    return fig


def _image(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" style="max-width:100%">'


def _html(comparison: Comparison, tables: dict, folder: Path, plots: list[str]) -> str:
    base = comparison.runs[0]
    s = base.scenario
    reps = s.replications
    sections = [
        f"<h1>Structures compared: {html.escape(', '.join(r.variant.name for r in comparison.runs))}</h1>",
        f"<p>{len(s.units)} units, {s.start} to {s.end}, {reps} replications, seed {s.seed}. Every variant runs the "
        "same simulated citizens and records (common random numbers); differences are paired by replication, "
        f"with 95 % confidence intervals. Baseline: <b>{html.escape(base.variant.name)}</b>. Policies: "
        "<i>same_headcount</i> takes each new department's head from its officers, <i>extra_head</i> adds the head.</p>",
        "<p>Departments and service point per unit, city-wide average (Decree 370/2025 limit 4.7 for Hanoi): "
        + ", ".join(f"{html.escape(r.variant.name)} {r.scenario.units_per_unit:.2f}" for r in comparison.runs) + "</p>",
        "<h2>In short</h2><ul>" + "".join(f"<li>{line}</li>" for line in verdict(comparison)) + "</ul>",
    ]
    for group, (levels, differences) in tables.items():
        title = {"city": "All units", "ward": "Wards", "commune": "Communes"}[group]
        sections.append(f"<h2>{title}</h2><h3>Levels (mean [95 % CI])</h3>" + levels.to_html(index=False, border=0)
                        + f"<h3>Paired difference to {html.escape(base.variant.name)} [95 % CI]</h3>"
                        + differences.to_html(index=False, border=0))
    sections += ["<h2>Charts</h2>"] + [_image(folder / p) for p in plots]
    for name, movers in comparison.movers.items():
        listed = (movers.to_html(index=False, border=0, float_format=lambda v: f"{v:+.2f}") if not movers.empty
                  else "<p><i>No unit gains or loses clearly.</i></p>")
        sections.append(f"<h2>Units that gain and lose most: {html.escape(name)}</h2>"
                        f"<p>Paired change of {LABELS[MOVERS_KPI]} (percentage points) against the baseline, mean over "
                        "replications with its 95 % interval. A unit is listed as gaining only if the whole interval "
                        "is above 0 and as losing only if it is below 0; units whose change cannot be told from 0, "
                        "and units run exactly as in the baseline, are in neither list.</p>" + listed)
    style = ("body{font-family:sans-serif;max-width:1200px;margin:auto;padding:1em}"
             "table{border-collapse:collapse;font-size:12px;margin-bottom:1em}"
             "td,th{border-bottom:1px solid #ddd;padding:3px 6px;text-align:right}th{background:#f3f3f3}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Structures compared</title>"
            f"<style>{style}</style></head><body>{''.join(sections)}</body></html>")
