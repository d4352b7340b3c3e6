"""Plots of a sweep table: headline KPIs against the swept keys.

One swept key: a line (numbers) or points (categories) with the 95 % interval. Two or more: one
heatmap per pair of keys, cells annotated, averaged over the other swept keys when there are any.
Failed jobs leave their cells empty.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.outputs.figures import save, subplots

# KPI -> (axis label, colour map with the better end green)
HEADLINE_KPIS = {
    "on_time_pct": ("on-time share of processed records (%)", "RdYlGn"),
    "desk_wait_mean_min": ("mean desk wait (min)", "RdYlGn_r"),
}
PLOT_PREFIX = "sweep_"
MAX_TICKS = 12  # up to this many swept values, each gets its own tick


def _label(value) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{value:g}"
    return str(value)


def _ticks(values) -> tuple[list[str], dict]:
    """Tick labels, turned only when long."""
    labels = [_label(v) for v in values]
    return labels, ({"rotation": 30, "ha": "right"} if max(map(len, labels), default=0) > 6 else {})


def write_plots(sweep_dir: Path, table: pd.DataFrame, keys: list[str]) -> list[Path]:
    """Replace the sweep's plots; return the files written (none without swept keys or results)."""
    for old in sweep_dir.glob(f"{PLOT_PREFIX}*.png"):
        old.unlink()
    kpis = [k for k in HEADLINE_KPIS if k in table.columns]
    done = table[table["status"].isin(["ok", "reused"])] if not table.empty else table
    if not keys or not kpis or done.empty:
        return []
    return [save(fig, sweep_dir / f"{PLOT_PREFIX}{name}.png") for name, fig in sweep_figures(done, keys, kpis).items()]


def sweep_figures(done: pd.DataFrame, keys: list[str], kpis: list[str]) -> dict[str, Figure]:
    """The figures of finished jobs, by name: a line for one swept key, else a heatmap per pair."""
    if len(keys) == 1:
        return {keys[0]: _line(done, keys[0], kpis)}
    return {f"{a}__{b}": _heatmaps(done, a, b, [k for k in keys if k not in (a, b)], kpis)
            for a, b in itertools.combinations(keys, 2)}


def _line(done: pd.DataFrame, key: str, kpis: list[str]) -> Figure:
    numeric = pd.api.types.is_numeric_dtype(done[key]) and not pd.api.types.is_bool_dtype(done[key])
    fig, axes = subplots(1, len(kpis), figsize=(5.2 * len(kpis), 4), squeeze=False)
    for ax, kpi in zip(axes[0], kpis):
        cols = [kpi] + [c for c in (f"{kpi}_ci95_low", f"{kpi}_ci95_high") if c in done]
        g = done.groupby(key, dropna=True)[cols].mean(numeric_only=True).sort_index()
        x = g.index.to_numpy(dtype=float) if numeric else np.arange(len(g))
        ax.plot(x, g[kpi], marker="o", color="tab:blue", linestyle="-" if numeric else "none")
        if len(cols) == 3:
            if numeric:
                ax.fill_between(x, g[cols[1]], g[cols[2]], alpha=0.25, color="tab:blue", label="95 % interval")
            else:
                ax.errorbar(x, g[kpi], yerr=[g[kpi] - g[cols[1]], g[cols[2]] - g[kpi]], fmt="none",
                            ecolor="tab:blue", capsize=4, label="95 % interval")
            ax.legend(fontsize=8)
        if not numeric or len(x) <= MAX_TICKS:  # the swept values themselves as ticks
            labels, turn = _ticks(g.index)
            ax.set_xticks(x, labels, **turn)
        ax.set_xlabel(key)
        ax.set_ylabel(HEADLINE_KPIS[kpi][0])
        ax.grid(True, alpha=0.3)
    fig.suptitle(f"sweep over {key}", fontsize=10)
    fig.tight_layout()
    return fig


def _heatmaps(done: pd.DataFrame, a: str, b: str, others: list[str], kpis: list[str]) -> Figure:
    """``a`` across, ``b`` down; one panel per KPI."""
    first = done.pivot_table(index=b, columns=a, values=kpis[0], aggfunc="mean", dropna=False)
    width = max(4.5, 1.0 + 0.8 * first.shape[1])
    height = max(3.2, 1.2 + 0.5 * first.shape[0])
    fig, axes = subplots(1, len(kpis), figsize=(width * len(kpis), height), squeeze=False)
    for ax, kpi in zip(axes[0], kpis):
        grid = done.pivot_table(index=b, columns=a, values=kpi, aggfunc="mean", dropna=False).sort_index()
        grid = grid.reindex(sorted(grid.columns), axis=1)
        values = grid.to_numpy(dtype=float)
        label, cmap = HEADLINE_KPIS[kpi]
        image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, aspect="auto")
        fig.colorbar(image, ax=ax, shrink=0.85)
        labels, turn = _ticks(grid.columns)
        ax.set_xticks(range(grid.shape[1]), labels, **turn)
        ax.set_yticks(range(grid.shape[0]), [_label(v) for v in grid.index])
        ax.set_xlabel(a)
        ax.set_ylabel(b)
        finite = values[np.isfinite(values)]
        middle = (finite.min() + finite.max()) / 2 if finite.size else 0
        for (i, j), v in np.ndenumerate(values):
            ax.text(j, i, "–" if not np.isfinite(v) else f"{v:.1f}", ha="center", va="center", fontsize=8,
                    color="black" if not np.isfinite(v) or abs(v - middle) < 0.35 * (np.ptp(finite) or 1) else "white")
        ax.set_title(label + (f"\nmean over {', '.join(others)}" if others else ""), fontsize=9)
    fig.tight_layout()
    return fig
