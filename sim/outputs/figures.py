"""Figures drawn without pyplot, so that importing the simulator never chooses a matplotlib backend.

A :class:`matplotlib.figure.Figure` made directly has no window and is not tracked by pyplot: the
writers save it to PNG on any machine (no display needed), a notebook shows it inline when it is a
cell's value, and a script may pass it to ``fig.savefig``.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

DPI = 110  # resolution of every PNG the simulator writes


def subplots(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] | None = None, **kwargs):
    """Like ``matplotlib.pyplot.subplots``: a new figure and its axes, without pyplot."""
    fig = Figure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def save(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as a PNG at the simulator's resolution; return the path."""
    fig.savefig(path, dpi=DPI)
    return path
