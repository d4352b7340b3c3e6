"""Figures drawn without pyplot, so that importing the simulator never chooses a matplotlib backend.

A figure made directly has no window and is not tracked by pyplot: the writers save it to PNG on
any machine (no display needed), a script passes it to ``fig.savefig``, and a notebook shows it
inline when it is a cell's value (through ``_repr_png_``, whichever backend is active).
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from matplotlib.figure import Figure

from sim.outputs.atomic import replacing

DPI = 110  # resolution of every PNG the simulator writes

# A name with a character the font lacks (an emoji in a scenario or unit name) is drawn as a box;
# matplotlib would warn twice per figure, some twenty lines a run. The CSVs, JSON and HTML spell it right.
warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font", category=UserWarning)


class NotebookFigure(Figure):
    """A :class:`~matplotlib.figure.Figure` that IPython and Jupyter display as a PNG."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
        return buffer.getvalue()


def subplots(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] | None = None, **kwargs):
    """Like ``matplotlib.pyplot.subplots``: a new figure and its axes, without pyplot."""
    fig = NotebookFigure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def save(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as a PNG at the simulator's resolution, atomically (:mod:`sim.outputs.atomic`);
    return the path."""
    with replacing(path) as partial:
        fig.savefig(partial, dpi=DPI, format="png")
    return path


def mark_axis_break(ax, language: str = "en") -> None:
    """Show that the y axis does not start at zero: a break mark (two slashes) at the bottom of the
    axis and the start written in the axis label, so a bar chart starting higher cannot be misread
    as starting from zero. Call it after the label and the limits are set; the note in ``language``."""
    bottom = ax.get_ylim()[0]
    if bottom <= 0:
        return
    marks = {"transform": ax.transAxes, "color": "black", "clip_on": False, "lw": 1}
    for dx in (-0.012, 0.0):
        ax.plot([dx - 0.01, dx + 0.01], [-0.003, 0.027], **marks)
    from sim.outputs.language import plain, text

    ax.set_ylabel(f"{ax.get_ylabel()}\n{text('axis_broken', language, start=plain(float(f'{bottom:.4g}'), language))}")
