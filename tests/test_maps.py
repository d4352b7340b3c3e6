"""The maps and the differences chart read (issue 23): names never print over each other (the dense
inner city on an enlarged panel), the Centre's branches are drawn only when the run has them, the
units and branches that miss the target are the ones named, a change map's scale does not blow a
tiny change up to its full colours, and the differences chart's tick labels do not run together.
The properties are read off the matplotlib figure (artists, extents on the renderer, the norm), not
off pixels."""

from __future__ import annotations

from itertools import combinations
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection

from sim.outputs.comparison_report import DIFFERENCE_KPIS, DIFFERENCE_TICKS, plot_differences
from sim.outputs.run_report import worst_labelled
from sim.outputs.unit_map import MIN_CHANGE_REACH, branch_locations, branch_name, plot_unit_map, unit_shapes
from sim.outputs.verdict import NAMED, target_status

INNER = ["cau_giay", "hoan_kiem", "ba_dinh", "dong_da", "hai_ba_trung", "tay_ho", "thanh_xuan", "hoang_mai"]


def _units() -> pd.Series:
    return pd.Series({s.slug: 80.0 + k % 15 for k, s in enumerate(unit_shapes())})


def _branches(value: float = 70.0) -> pd.Series:
    return pd.Series({slug: value + k for k, slug in enumerate(branch_locations()["slug"])})


def _names(fig) -> list:
    """Every name written on the map or on its inner-city panel (texts with a white box)."""
    ax = fig.axes[0]
    return [t for a in (ax, *ax.child_axes) for t in a.texts if t.get_text() and t.get_bbox_patch() is not None]


def _overlapping(boxes) -> list:
    return [(a, b) for (a, ba), (b, bb) in combinations(boxes, 2)
            if ba.x0 < bb.x1 and bb.x0 < ba.x1 and ba.y0 < bb.y1 and bb.y0 < ba.y1]


def _extents(fig, texts) -> list:
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    return [(t.get_text(), t.get_window_extent(renderer)) for t in texts]


@pytest.mark.parametrize("with_branches", [False, True])
def test_no_two_names_overlap_on_a_map_naming_eight_inner_city_units(with_branches):
    values = pd.concat([_units(), _branches()]) if with_branches else _units()
    fig = plot_unit_map(values, label="on time (%)", target=95, labelled=INNER + ["soc_son"])
    names = {s.slug: s.name for s in unit_shapes()}
    written = _extents(fig, _names(fig))
    assert sorted(t for t, _ in written) == sorted(names[s] for s in INNER + ["soc_son"])  # each once, none left out
    assert not _overlapping(written)
    ax = fig.axes[0]
    assert len(ax.child_axes) == 1 and len(fig.axes) == 2  # the panel is the map's child: axes[-1] is the colour bar
    panel = ax.child_axes[0]
    assert {t.get_text() for t in panel.texts if t.get_bbox_patch()} == {names[s] for s in INNER}
    assert "Xã Sóc Sơn" in {t.get_text() for t in ax.texts}  # outside the inner city: on the map itself


def test_twelve_branches_named_on_the_panel_do_not_overlap():
    branches = list(branch_locations()["slug"])
    fig = plot_unit_map(pd.concat([_units(), _branches()]), label="on time (%)", target=95, labelled=branches)
    written = _extents(fig, _names(fig))
    assert len(written) == 12 and {t for t, _ in written} == {branch_name(s) for s in branches}
    assert not _overlapping(written)


def test_branches_are_drawn_only_when_the_values_hold_them():
    def squares(fig):
        return [c for c in fig.axes[0].collections if isinstance(c, PathCollection)]

    def legend(fig):
        shown = fig.axes[0].get_legend()
        return [t.get_text() for t in shown.get_texts()] if shown else []

    without = plot_unit_map(_units(), label="on time (%)", target=95)
    assert not squares(without) and not any("branch" in t for t in legend(without))
    named = plot_unit_map(_units(), label="on time (%)", labelled=list(branch_locations()["slug"]) + ["ba_vi"])
    assert [t.get_text() for t in _names(named)] == ["Xã Ba Vì"]  # no branch in the run: none named either
    run = plot_unit_map(pd.concat([_units(), _branches()]), label="on time (%)", target=95)
    (drawn,) = squares(run)
    assert len(drawn.get_offsets()) == 12 and any("Centre branch" in t for t in legend(run))


def test_the_units_and_branches_that_miss_are_the_ones_named():
    rows = [{"slug": s.slug, "name": s.name, "kind": s.kind, "on_time": 99.0, "on_time_ci95_low": 98.0,
             "on_time_ci95_high": 100.0} for s in unit_shapes()]
    rows += [{"slug": slug, "name": branch_name(slug), "kind": "centre", "on_time": 60.0 + k,
              "on_time_ci95_low": 58.0 + k, "on_time_ci95_high": 62.0 + k}
             for k, slug in enumerate(branch_locations()["slug"])]
    status = target_status(pd.DataFrame(rows), "on_time", 95)
    named = worst_labelled(status)
    assert named == list(branch_locations()["slug"][:NAMED])  # every branch misses: the lowest eight are named
    units = pd.DataFrame(rows)
    units.loc[0, ["on_time", "on_time_ci95_low", "on_time_ci95_high"]] = (50.0, 40.0, 96.0)  # lowest, but may meet
    units.loc[1, ["on_time", "on_time_ci95_low", "on_time_ci95_high"]] = (94.0, 93.0, 94.5)  # misses, the highest
    named = worst_labelled(target_status(units, "on_time", 95), count=14)
    assert len(named) == 14 and named[:12] == sorted(named[:12], key=lambda s: units.set_index("slug").at[s, "on_time"])
    assert units.at[1, "slug"] in named[:13] and named[13] == units.at[0, "slug"]  # who misses before who may miss
    fig = plot_unit_map(pd.concat([_units(), _branches()]), label="on time (%)", target=95, labelled=named[:NAMED])
    assert len(_names(fig)) == NAMED


@pytest.mark.parametrize("largest, reach", [(0.013, MIN_CHANGE_REACH), (3.0, 3.0)])
def test_a_change_map_is_symmetric_around_zero_and_a_tiny_change_stays_near_neutral(largest, reach):
    shapes = unit_shapes()
    change = pd.Series({s.slug: largest * ((-1) ** k) * (k % 5) / 4 for k, s in enumerate(shapes)})
    fig = plot_unit_map(change, label="change (points)", diverging=True)
    norm = fig.axes[0].collections[0].norm
    assert norm.vcenter == 0 and norm.vmin == pytest.approx(-reach) and norm.vmax == pytest.approx(reach)
    if largest < MIN_CHANGE_REACH:
        assert abs(norm(largest) - 0.5) < 0.01  # the largest change sits next to the neutral middle
    assert fig.axes[1].get_ylim() == pytest.approx((-reach, reach))  # the colour bar shows the same span


def test_a_vietnamese_map_writes_its_ticks_with_a_decimal_comma():
    """Colour bar and longitude/latitude ticks in the language's form: 0,75 and 21,05° on a
    Vietnamese page, 0.75 and 21.05° on an English one."""
    shapes = unit_shapes()
    change = pd.Series({s.slug: 0.3 * ((-1) ** k) for k, s in enumerate(shapes)})
    for language, mark, other in (("vi", ",", "."), ("en", ".", ",")):
        fig = plot_unit_map(change, label="change", diverging=True, language=language)
        fig.canvas.draw()
        ticks = [t.get_text() for ax in fig.axes[:2] for axis in (ax.xaxis, ax.yaxis)
                 for t in axis.get_ticklabels() if t.get_text()]
        decimals = [t for t in ticks if any(c in t for c in ".,")]
        assert decimals and all(mark in t and other not in t for t in decimals), (language, ticks)


def _comparison(diffs: dict[str, float], language: str = "en") -> SimpleNamespace:
    rows = []
    for variant in ("base", "five_departments", "three_departments_extra_head"):
        for group in ("city", "ward", "commune"):
            for k, kpi in enumerate(DIFFERENCE_KPIS):
                d = 0.0 if variant == "base" else diffs.get(kpi, 0.01) * (1 + 0.3 * k) * (1 if group != "ward" else 1.7)
                rows.append({"variant": variant, "group": group, "kpi": kpi, "mean": 90.0, "ci95_low": 89.0,
                             "ci95_high": 91.0, "diff_mean": d, "diff_ci95_low": d - abs(d) * 0.8,
                             "diff_ci95_high": d + abs(d) * 0.6})
    base = SimpleNamespace(variant=SimpleNamespace(name="base", structure="three_departments", policy="same_headcount"),
                           scenario=SimpleNamespace(report_language=language, units=[]))
    return SimpleNamespace(table=pd.DataFrame(rows), runs=[base])


@pytest.mark.parametrize("scale", [0.013, 0.0004, 0.00003, 250.0])
def test_the_differences_chart_has_few_short_tick_labels_that_do_not_overlap(scale):
    fig = plot_differences(_comparison({kpi: scale * (-1) ** k for k, kpi in enumerate(DIFFERENCE_KPIS)}))
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    for ax in fig.axes:
        low, high = ax.get_xlim()
        labels = [t for t, v in zip(ax.get_xticklabels(), ax.get_xticks()) if low <= v <= high and t.get_text()]
        assert 2 <= len(labels) <= DIFFERENCE_TICKS + 1, [t.get_text() for t in labels]
        assert all(len(t.get_text()) <= 8 for t in labels), [t.get_text() for t in labels]
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in labels]
        assert not _overlapping(boxes), [t for t, _ in boxes]
        gaps = [b.x0 - a.x1 for (_, a), (_, b) in zip(boxes, boxes[1:])]
        assert min(gaps) > 4  # pixels of space between neighbours
    assert np.isfinite([ax.get_xlim() for ax in fig.axes]).all()
