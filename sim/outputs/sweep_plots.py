"""Plots of a sweep table: headline KPIs against the swept keys.

One swept key: a line (numbers) or points (categories) with the 95 % interval. Two or more: one
heatmap per pair of keys, cells annotated, averaged over the other swept keys when there are any.
Failed jobs leave their cells empty. The headline is the on-time share of every record received
(abandoned citizens included), with the abandoned share beside it; shares are drawn on a fixed 0-100 %
colour scale so that two sweeps read alike. Targets (``report.on_time_target_pct`` and, on the 90th
percentile desk wait, ``desks.wait_target_minutes``, read from the jobs' configurations) are drawn
as a dashed line and, on heatmaps, as a mark on the colour bar and an outline round each cell
that meets them.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from sim.config.schema import DesksConfig, ReportConfig
from sim.outputs.figures import save, subplots

# KPI -> (axis label, colour map with the better end green)
HEADLINE_KPIS = {
    "on_time_of_received_pct": ("on time, % of records received", "RdYlGn"),
    "abandoned_of_received_pct": ("abandoned at the desk, % of records received", "RdYlGn_r"),
    "desk_wait_mean_min": ("mean desk wait (min)", "RdYlGn_r"),
    "desk_wait_p90_min": ("90th percentile desk wait (min)", "RdYlGn_r"),
}
SHARE_SCALE = (0.0, 100.0)  # the colour scale of every share, whatever the sweep's values
# KPI -> (config key of its target, default when no job config gives it, True if higher is better)
TARGETS = {
    "on_time_of_received_pct": ("report.on_time_target_pct", ReportConfig().on_time_target_pct, True),
    "desk_wait_p90_min": ("desks.wait_target_minutes", DesksConfig().wait_target_minutes, False),
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
    targets = _targets(sweep_dir, done)
    return [save(fig, sweep_dir / f"{PLOT_PREFIX}{name}.png")
            for name, fig in sweep_figures(done, keys, kpis, targets).items()]


def sweep_figures(done: pd.DataFrame, keys: list[str], kpis: list[str],
                  targets: dict[str, float] | None = None) -> dict[str, Figure]:
    """The figures of finished jobs, by name: a line for one swept key, else a heatmap per pair.
    ``targets`` (KPI -> target) are marked; by default the schema's defaults."""
    targets = {kpi: default for kpi, (_key, default, _higher) in TARGETS.items()} if targets is None else targets
    if len(keys) == 1:
        return {keys[0]: _line(done, keys[0], kpis, targets)}
    return {f"{a}__{b}": _heatmaps(done, a, b, [k for k in keys if k not in (a, b)], kpis, targets)
            for a, b in itertools.combinations(keys, 2)}


def _targets(sweep_dir: Path, done: pd.DataFrame) -> dict[str, float]:
    """Each target KPI's target, from the finished jobs' ``.hydra/config.yaml`` (the default of
    the schema when no job says); none for a KPI whose target differs between jobs."""
    seen: dict[str, set] = {kpi: set() for kpi in TARGETS}
    for job in done["job"] if "job" in done else []:
        try:
            config = yaml.safe_load((sweep_dir / str(job) / ".hydra" / "config.yaml").read_text()) or {}
        except (OSError, yaml.YAMLError):
            continue
        for kpi, (key, _default, _higher) in TARGETS.items():
            node = config
            for part in key.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            if isinstance(node, (int, float)) and not isinstance(node, bool):
                seen[kpi].add(float(node))
    out = {}
    for kpi, (_key, default, _higher) in TARGETS.items():
        if len(seen[kpi]) <= 1:
            out[kpi] = seen[kpi].pop() if seen[kpi] else default
    return out


def _meets(kpi: str, value: float, target: float) -> bool:
    return value >= target if TARGETS[kpi][2] else value <= target


def _norm(kpi: str, values: np.ndarray, target: float | None):
    """The colour scale of a heatmap panel. Shares: fixed 0-100 %; with a target, the colours turn
    from the bad to the good side at the target; without one, compressed towards 0 so that a few
    per cent stand out. Other KPIs: from 0 to the largest value (at least twice the target)."""
    from matplotlib.colors import Normalize, PowerNorm, TwoSlopeNorm

    if kpi.endswith("_pct"):
        low, high = SHARE_SCALE
    else:
        finite = values[np.isfinite(values)]
        low, high = 0.0, max(float(finite.max()) if finite.size else 0.0, 2 * target if target else 0.0) or 1.0
    if target is not None and low < target < high:
        return TwoSlopeNorm(vcenter=target, vmin=low, vmax=high)
    if kpi.endswith("_pct"):
        return PowerNorm(gamma=0.4, vmin=low, vmax=high)
    return Normalize(vmin=low, vmax=high)


def _line(done: pd.DataFrame, key: str, kpis: list[str], targets: dict[str, float]) -> Figure:
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
        if kpi in targets:
            ax.axhline(targets[kpi], color="black", linestyle="--", linewidth=1, label=f"target {targets[kpi]:g}")
        if len(cols) == 3 or kpi in targets:
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


def _heatmaps(done: pd.DataFrame, a: str, b: str, others: list[str], kpis: list[str],
              targets: dict[str, float]) -> Figure:
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
        target = targets.get(kpi)
        norm = _norm(kpi, values, target)
        image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, aspect="auto", norm=norm)
        bar = fig.colorbar(image, ax=ax, shrink=0.85)
        if target is not None:
            bar.ax.axhline(target, color="black", linestyle="--", linewidth=1.5)
            for (i, j), v in np.ndenumerate(values):
                if np.isfinite(v) and _meets(kpi, v, target):
                    ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=2))
            label += f"\ntarget {'≥' if TARGETS[kpi][2] else '≤'} {target:g} (outlined cells meet it)"
        labels, turn = _ticks(grid.columns)
        ax.set_xticks(range(grid.shape[1]), labels, **turn)
        ax.set_yticks(range(grid.shape[0]), [_label(v) for v in grid.index])
        ax.set_xlabel(a)
        ax.set_ylabel(b)
        for (i, j), v in np.ndenumerate(values):
            red, green, blue, _ = image.cmap(image.norm(v)) if np.isfinite(v) else (1, 1, 1, 1)
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5  # white text on a dark cell
            ax.text(j, i, "–" if not np.isfinite(v) else f"{v:.1f}", ha="center", va="center", fontsize=8,
                    color="white" if dark else "black")
        ax.set_title(label + (f"\nmean over {', '.join(others)}" if others else ""), fontsize=9)
    fig.tight_layout()
    return fig
