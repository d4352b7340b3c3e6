"""A map of Hanoi's 126 units and the Centre's branches coloured by a per-unit figure, drawn with
matplotlib alone (the GeoJSON polygons are lists of rings: a PolyCollection draws them).

``plot_unit_map`` takes a pandas Series indexed by slug (a unit's or a branch's): a KPI (sequential
colours) or a change (``diverging=True``: a colour scale centred on 0). Units without a value are
hatched grey with their own legend entry. The boundaries are ``sim/data/hanoi_units_2025.geojson``
(provenance in sim/data/README.md); a branch is a square at the centroid of the units formed from
its former district (``sim/data/centre_branch_locations.csv``, mostly an assumption: see there),
drawn only when the values hold branches. Longitude and latitude ticks, a scale bar, north up, the
axes' aspect true at Hanoi's latitude. Names are placed so that no two overlap (each tried at
several spots around its point, checked on the renderer's extents); names in the dense inner city
(the former urban districts, where the branches are) go to an enlarged panel beside the map.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.collections import PolyCollection
from matplotlib.colors import Normalize, TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import Bbox
from matplotlib.ticker import MaxNLocator

from sim.errors import OutputMissing
from sim.model.city import DATA_DIR
from sim.outputs.figures import subplots
from sim.outputs.language import number, plain, text

BOUNDARIES = "hanoi_units_2025.geojson"
BRANCH_LOCATIONS = "centre_branch_locations.csv"
FONT = "DejaVu Sans"  # has every Vietnamese glyph (tests/test_verdict.py checks the names render)
SEQUENTIAL = "viridis"
DIVERGING = "RdBu"  # red: worse, blue: better (a KPI where higher is better)
NO_VALUE = "#d9d9d9"
KM_PER_DEGREE = 111.32  # of latitude, and of longitude at the equator
ZOOM_KM = 12  # the narrowest side of a zoomed map
MIN_CHANGE_REACH = 1.0
"""The least half-range of a diverging (change) map's scale, in the values' unit (percentage points
for an on-time share; one officer or counter for a staffing change). The scale is symmetric around
0 and reaches at least this far, so that a change far below it (0.013 points: noise of a few
replications) is drawn near-white, as no change, and not in the scale's darkest colours."""
INSET_MIN_KM = 8  # the narrowest side of the inner-city panel
INSET_MARGIN_KM = 2.5  # room around the panel's outermost named points for their names
LABEL_FONT_SIZE = 7
INSET_FIGURE_WIDTH = 13.2  # inches: the 8.5-inch map and the inner-city panel beside it
BRANCH_NAME = "Chi nhánh số {n}"  # as the branches are named in conf/centre/ (Vietnamese, like the units)
INSET_TITLE = {"en": "Inner city, enlarged (framed on the map)", "vi": "Nội thành, phóng to (khung trên bản đồ)"}
# Where a name may sit around its point (offset in points; the text's alignment there), nearest first;
# from the third ring on, a thin line joins the name to its point.
_DIRECTIONS = ((1, 1, "left", "bottom"), (1, -1, "left", "top"), (-1, 1, "right", "bottom"),
               (-1, -1, "right", "top"), (1, 0, "left", "center"), (-1, 0, "right", "center"),
               (0, 1, "center", "bottom"), (0, -1, "center", "top"))
_RINGS = (4, 8, 16, 26, 38, 52)
_LEADER_FROM = 16


@dataclass(frozen=True)
class UnitShape:
    slug: str
    name: str
    kind: str
    rings: tuple[np.ndarray, ...]  # outer rings of its polygons (lon, lat), holes left out


class MapDataError(OutputMissing):
    """The packaged map data cannot be read (one line naming the file): the map is left out, not the
    results that would be drawn on it."""


DAMAGED = (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError)  # what bad map data raises


def _damaged(name: str, exc: BaseException) -> MapDataError:
    problem = (str(exc).splitlines() or [""])[0]
    return MapDataError(f"{DATA_DIR / name}: damaged map data, the map is not drawn "
                        f"({type(exc).__name__}{': ' + problem if problem else ''})")


@lru_cache(maxsize=1)
def unit_shapes() -> tuple[UnitShape, ...]:
    """The 126 units' boundaries from the packaged GeoJSON; :class:`MapDataError` if it is damaged."""
    try:
        features = json.loads((DATA_DIR / BOUNDARIES).read_text(encoding="utf-8"))["features"]
        shapes = []
        for f in features:
            geometry = f["geometry"]
            polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
            p = f["properties"]
            shapes.append(UnitShape(p["slug"], p["name"], p["kind"],
                                    tuple(np.asarray(polygon[0], dtype=float) for polygon in polygons)))
    except DAMAGED as exc:
        raise _damaged(BOUNDARIES, exc) from None
    if not shapes or any(len(ring) < 3 or ring.ndim != 2 for s in shapes for ring in s.rings):
        raise _damaged(BOUNDARIES, ValueError("no unit, or a ring that is not a list of points"))
    return tuple(shapes)


def _ring_area_centroid(ring: np.ndarray) -> tuple[float, float, float]:
    """Signed area (degrees squared) and centroid of a closed ring (shoelace)."""
    x, y = ring[:, 0], ring[:, 1]
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    area = cross.sum() / 2
    if area == 0:
        return 0.0, float(x.mean()), float(y.mean())
    return area, float(((x[:-1] + x[1:]) * cross).sum() / (6 * area)), float(((y[:-1] + y[1:]) * cross).sum() / (6 * area))


def centroid(slugs: list[str]) -> tuple[float, float]:
    """Area-weighted centroid (lon, lat) of the units ``slugs`` together (planar in degrees: the
    city spans under one degree, so the error is far below a marker's size)."""
    chosen = set(slugs)
    total = cx = cy = 0.0
    for shape in unit_shapes():
        if shape.slug in chosen:
            for ring in shape.rings:
                area, x, y = _ring_area_centroid(ring)
                total, cx, cy = total + abs(area), cx + abs(area) * x, cy + abs(area) * y
    if total == 0:
        raise ValueError(f"no unit boundary among {sorted(chosen)}")
    return cx / total, cy / total


@lru_cache(maxsize=1)
def branch_locations() -> pd.DataFrame:
    """One row per Centre branch: slug, former district, lon, lat, and how it was located."""
    try:
        with open(DATA_DIR / BRANCH_LOCATIONS, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        located = [(r, centroid((r["units"] or "").split())) for r in rows]
    except MapDataError:
        raise
    except DAMAGED as exc:
        raise _damaged(BRANCH_LOCATIONS, exc) from None
    return pd.DataFrame([{"slug": r["slug"], "former_district": r["former_district"], "lon": lon, "lat": lat,
                          "located_by": "centroid of the former district's units", "source": r["source"],
                          "units": r["units"]} for r, (lon, lat) in located])


def inner_city() -> frozenset[str]:
    """The units of the former urban districts (those of the Centre's branches): small and close
    together, so their names are written on the enlarged panel."""
    return frozenset(u for units in branch_locations()["units"] for u in str(units).split())


def branch_name(slug: str) -> str:
    """A branch's name as the run's tables give it (``centre_branch_07``: Chi nhánh số 7)."""
    return BRANCH_NAME.format(n=int(slug.rsplit("_", 1)[1]))


def _scale_bar(ax, lat: float, language: str) -> None:
    """A 10 km bar in the lower left corner."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    km = max(k for k in (1, 2, 5, 10) if k <= max(1.0, 0.25 * (x1 - x0) * KM_PER_DEGREE * math.cos(math.radians(lat))))
    width = km / (KM_PER_DEGREE * math.cos(math.radians(lat)))
    x, y = x0 + 0.05 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    ax.plot([x, x + width], [y, y], color="black", lw=3, solid_capstyle="butt")
    ax.text(x + width / 2, y + 0.012 * (y1 - y0), text("km", language, n=km), ha="center", va="bottom", fontsize=8)
    ax.annotate("N", xy=(x1 - 0.05 * (x1 - x0), y1 - 0.04 * (y1 - y0)),
                xytext=(x1 - 0.05 * (x1 - x0), y1 - 0.13 * (y1 - y0)), ha="center", va="center", fontsize=10,
                arrowprops={"arrowstyle": "->", "lw": 1.5})


def plot_unit_map(values: pd.Series, *, label: str, title: str = "", diverging: bool = False, language: str = "en",
                  labelled: list[str] | tuple[str, ...] = (), target: float | None = None,
                  branches: bool = True, categories: dict[str, tuple[str, str]] | None = None,
                  limits: tuple[float, float] | None = None, zoom: list[str] | tuple[str, ...] = ()) -> Figure:
    """The units (polygons) and the Centre's branches (squares) coloured by ``values`` (indexed by
    slug; NaN or absent: no value, hatched grey). ``label``: the colour bar's label, with its unit.
    ``diverging``: a change, on a scale centred on 0, symmetric, reaching at least
    :data:`MIN_CHANGE_REACH`; else a KPI on a sequential scale. ``labelled``: slugs (units' or
    branches') whose names are written on the map (Vietnamese, as in the data), in order of
    importance: names that cannot be placed without covering another are left out from the end;
    when two or more lie in the inner city (:func:`inner_city`, the branches), they are written on
    an enlarged panel of it beside the map. ``target``: drawn as a line on the colour bar.
    ``branches``: draw the Centre's branches that ``values`` holds (a branch it does not hold is not
    drawn, nor in the legend). ``categories``: slug -> (label, colour) for units that have a
    category, not a value (drawn in that colour, each label once in the legend). ``limits``: the
    sequential scale's ends. ``zoom``: slugs whose boundaries (with a margin) fill the map; empty:
    the whole city.

    Why one function: one matplotlib figure is drawn layer by layer (units, branches, categories,
    colour bar, target, inset, names, scale), and each option adds or skips one layer; the layers
    share the axes and the scale, so the order is the drawing order."""
    values = pd.to_numeric(pd.Series(values, dtype=float), errors="coerce")
    shapes = unit_shapes()
    places = branch_locations() if branches else pd.DataFrame(columns=["slug", "lon", "lat"])
    places = places[places["slug"].isin(values.index)]  # the run's branches only
    shown = values[values.index.isin([s.slug for s in shapes] + list(places["slug"]))].dropna()
    finite = shown[np.isfinite(shown)]
    if diverging:
        reach = max(float(finite.abs().max()) if len(finite) else 0.0, MIN_CHANGE_REACH)
        norm, cmap = TwoSlopeNorm(0.0, -reach, reach), DIVERGING
    else:
        low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        if limits is not None:
            low, high = limits
        if target is not None and len(finite):  # the scale reaches the target: its colour reads against it
            low, high = min(low, target), max(high, target)
            edge = 0.03 * (high - low)  # a target at an end of the bar would hide under its frame
            low, high = (low - edge if target == low else low), (high + edge if target == high else high)
        if high == low:
            low, high = low - 0.5, high + 0.5
        norm, cmap = Normalize(low, high), SEQUENTIAL
    names = {s.slug: s.name for s in shapes}
    anchors = {slug: centroid([slug]) for slug in dict.fromkeys(labelled) if slug in names}
    anchors.update({r.slug: (r.lon, r.lat) for r in places.itertuples() if r.slug in set(labelled)})
    names.update({slug: branch_name(slug) for slug in places["slug"]})
    order = [slug for slug in dict.fromkeys(labelled) if slug in anchors]
    try:
        city_centre = inner_city() if order else frozenset()
    except MapDataError:  # only with branches=False (else read above): the names stay on the map itself
        city_centre = frozenset()
    inner = [slug for slug in order if slug in city_centre or slug in set(places["slug"])]
    frame = _inset_frame([anchors[slug] for slug in inner]) if len(inner) >= 2 and not zoom else None
    fig, ax = subplots(figsize=(8.5, 8.5))
    categories = categories or {}
    mapper, handles, empty = _draw_units(ax, shapes, finite, categories, norm, cmap)
    mapper = mapper or ScalarMappable(norm=norm, cmap=cmap)
    framed = [s for s in shapes if s.slug in set(zoom)] or shapes
    everything = np.concatenate([r for s in framed for r in s.rings])
    (lon0, lat0), (lon1, lat1) = everything.min(axis=0), everything.max(axis=0)
    mid = (lat0 + lat1) / 2
    if zoom and framed is not shapes:  # a square at least ZOOM_KM wide around the chosen units
        east = KM_PER_DEGREE * math.cos(math.radians(mid))
        side = 1.3 * max((lon1 - lon0) * east, (lat1 - lat0) * KM_PER_DEGREE, ZOOM_KM)
        (cx, cy), half_lon, half_lat = ((lon0 + lon1) / 2, mid), side / 2 / east, side / 2 / KM_PER_DEGREE
        lon0, lon1, lat0, lat1 = cx - half_lon, cx + half_lon, cy - half_lat, cy + half_lat
    pad = 0.0 if zoom else 0.02 * max(lon1 - lon0, lat1 - lat0)
    ax.set_xlim(lon0 - pad, lon1 + pad)
    ax.set_ylim(lat0 - pad, lat1 + pad)
    ax.set_aspect(1 / math.cos(math.radians(mid)))  # a km east as long as a km north: north up, true shapes
    if empty:
        handles.append(Patch(facecolor=NO_VALUE, edgecolor="grey", hatch="///", label=text("no_value", language)))
    if len(places):
        has = _draw_branches(ax, places, finite, mapper, size=50)
        handles.append(Line2D([], [], marker="s", ls="", markerfacecolor="lightgrey" if has.any() else "white",
                              markeredgecolor="black", label=text("branch" if has.any() else "branch_none", language)))
        if (~has).any() and has.any():
            handles.append(Line2D([], [], marker="s", ls="", markerfacecolor="white", markeredgecolor="black",
                                  label=text("branch_no_value", language)))
    ax.set_xlabel(text("longitude", language), family=FONT)
    ax.set_ylabel(text("latitude", language), family=FONT)
    digits = 1 if lat1 - lat0 > 0.5 else 2  # a zoomed map's ticks are closer than a tenth of a degree
    if digits == 2:  # ticks at round hundredths, so that two digits name them exactly
        ax.xaxis.set_major_locator(MaxNLocator(steps=[1, 2, 5, 10]))
        ax.yaxis.set_major_locator(MaxNLocator(steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(lambda v, _pos: number(v, language, digits) + "°")
    ax.yaxis.set_major_formatter(lambda v, _pos: number(v, language, digits) + "°")
    ax.tick_params(labelsize=8)
    _scale_bar(ax, mid, language)
    bar = fig.colorbar(mapper, ax=ax, shrink=0.7, pad=0.02)
    bar.ax.yaxis.set_major_formatter(lambda v, _pos: plain(round(v, 6), language))  # the language's decimal mark
    bar.set_label(label, family=FONT)
    if target is not None and not diverging and norm.vmin <= target <= norm.vmax:
        bar.ax.axhline(target, color="black", lw=1.5)
        handles.append(Line2D([], [], color="black", lw=1.5, label=text("target_line", language, target=plain(target, language))))
    if handles:
        ax.legend(handles=handles, loc="upper left", prop={"family": FONT, "size": 7})
    ax.set_title(title, fontsize=10, family=FONT)
    fig.tight_layout()
    if frame:  # the map as it is, the figure widened on the right for the inner-city panel
        wide = 8.5 / INSET_FIGURE_WIDTH
        fig.set_size_inches(INSET_FIGURE_WIDTH, 8.5)
        for each in fig.axes:
            box = each.get_position(original=True)
            each.set_position([box.x0 * wide, box.y0, box.width * wide, box.height])
    panels = [(ax, [slug for slug in order if frame is None or not _inside(anchors[slug], frame)], 50)]
    if frame:
        (x0, x1), (y0, y1) = frame
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec="black", lw=1.0, zorder=5))
        inset = ax.inset_axes([0.645, 0.06, 0.345, 0.86], transform=fig.transFigure)  # a child: fig.axes unchanged
        inset.set_anchor("W")
        _draw_units(inset, shapes, finite, categories, norm, cmap)
        if len(places):
            _draw_branches(inset, places, finite, mapper, size=70)
        inset.set_xlim(x0, x1)
        inset.set_ylim(y0, y1)
        inset.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)))
        inset.set_xticks([])
        inset.set_yticks([])
        _scale_bar(inset, (y0 + y1) / 2, language)
        inset.set_title(INSET_TITLE.get(language, INSET_TITLE["en"]), fontsize=9, family=FONT)
        panels.append((inset, [slug for slug in order if _inside(anchors[slug], frame)], 70))
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)  # every position and aspect settled: the names are placed on the final layout
    for panel, slugs, size in panels:
        _place_names(panel, [(names[slug], anchors[slug], slug in set(places["slug"])) for slug in slugs],
                     renderer, places if len(places) else None, size)
    return fig


def _draw_units(ax, shapes, finite: pd.Series, categories: dict, norm, cmap):
    """The units on ``ax``: categories in their colours, values on the scale, the rest hatched.
    Returns the coloured collection (None without values), the legend handles and whether any unit
    has no value."""
    rings, colours, empty, handles, mapper = [], [], [], [], None
    for category in dict.fromkeys(categories.values()):
        chosen = [ring for s in shapes if categories.get(s.slug) == category for ring in s.rings]
        ax.add_collection(PolyCollection(chosen, facecolors=category[1], edgecolors="white", linewidths=0.4))
        handles.append(Patch(facecolor=category[1], edgecolor="grey", label=category[0]))
    for shape in shapes:
        if shape.slug in categories:
            continue
        value = finite.get(shape.slug, np.nan)
        for ring in shape.rings:
            (rings if np.isfinite(value) else empty).append(ring)
            if np.isfinite(value):
                colours.append(value)
    if rings:  # the collection holds the values and the scale: the colour bar is drawn from it
        mapper = ax.add_collection(PolyCollection(rings, array=np.asarray(colours), cmap=cmap, norm=norm,
                                                  edgecolors="white", linewidths=0.4))
    if empty:
        ax.add_collection(PolyCollection(empty, facecolors=NO_VALUE, edgecolors="white", linewidths=0.4,
                                         hatch="///"))
    return mapper, handles, bool(empty)


def _draw_branches(ax, places: pd.DataFrame, finite: pd.Series, mapper, size: float) -> pd.Series:
    """The branches as squares in their value's colour (white without one); returns which have one."""
    has = places["slug"].map(lambda s: np.isfinite(finite.get(s, np.nan)))
    faces = [mapper.to_rgba(finite[s]) if h else "white" for s, h in zip(places["slug"], has)]
    ax.scatter(places["lon"], places["lat"], s=size, marker="s", c=faces, edgecolors="black", linewidths=1.0,
               zorder=3)
    return has


def _inset_frame(points: list[tuple[float, float]]) -> tuple[tuple[float, float], tuple[float, float]]:
    """The inner-city panel's extent ((lon0, lon1), (lat0, lat1)): a square around ``points`` with
    INSET_MARGIN_KM of room for their names, at least INSET_MIN_KM wide."""
    xy = np.asarray(points, dtype=float)
    (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    east = KM_PER_DEGREE * math.cos(math.radians(cy))
    side = max((x1 - x0) * east, (y1 - y0) * KM_PER_DEGREE) + 2 * INSET_MARGIN_KM
    side = max(side, INSET_MIN_KM)
    half_x, half_y = side / 2 / east, side / 2 / KM_PER_DEGREE
    return (cx - half_x, cx + half_x), (cy - half_y, cy + half_y)


def _inside(point: tuple[float, float], frame) -> bool:
    (x0, x1), (y0, y1) = frame
    return x0 <= point[0] <= x1 and y0 <= point[1] <= y1


def _clear(box: Bbox, taken: list[Bbox]) -> bool:
    return not any(box.x0 < t.x1 and t.x0 < box.x1 and box.y0 < t.y1 and t.y0 < box.y1 for t in taken)


def _place_names(ax, items: list[tuple[str, tuple[float, float], bool]], renderer, places, size: float) -> None:
    """Write each name (in order; ``items``: name, point, whether a branch) near its point where its
    box (with a little room) covers no other name, no other named point, no branch square, no text
    already on ``ax`` (scale bar, north arrow) nor its legend, inside the axes; failing that, where
    it covers no name, point or text; failing that, the name is left out (and its point).

    Why one function: the tries per name (eight offsets, two strictness levels) all test one set of
    boxes already placed, which this loop keeps."""
    if not items:
        return
    dpi = ax.figure.dpi
    pixel = ax.transData.transform
    room = 2.5  # pixels around each name's box: its white background's pad and a gap
    frame = ax.bbox
    texts = [t.get_window_extent(renderer) for t in ax.texts]
    legend = ax.get_legend()
    if legend is not None:
        texts.append(legend.get_window_extent(renderer))
    dot = 2.5 * dpi / 72
    points = [None if branch else Bbox.from_bounds(*(pixel(xy) - dot), 2 * dot, 2 * dot) for _name, xy, branch in items]
    squares = []
    if places is not None:
        half = math.sqrt(size) / 2 * dpi / 72 + 1
        squares = [Bbox.from_bounds(*(pixel((x, y)) - half), 2 * half, 2 * half) for x, y in zip(places["lon"], places["lat"])]
    names: list[Bbox] = []
    for k, (name, xy, branch) in enumerate(items):
        others = [p for j, p in enumerate(points) if p is not None and j != k]
        annotation = ax.annotate(name, xy, xytext=(0, 0), textcoords="offset points", fontsize=LABEL_FONT_SIZE,
                                 family=FONT, zorder=6,
                                 bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
        chosen = None
        for obstacles in (names + others + texts + squares, names + others + texts):
            for distance in _RINGS:
                for dx, dy, ha, va in _DIRECTIONS:
                    if not branch and distance < 8 and dx == 0:
                        continue  # straight above or below a dot: the name's box would sit on it
                    annotation.xyann = (dx * distance, dy * distance)
                    annotation.set_ha(ha)
                    annotation.set_va(va)
                    box = annotation.get_window_extent(renderer).padded(room)
                    inside = (frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1)
                    if inside and _clear(box, obstacles):
                        chosen = box, distance
                        break
                if chosen:
                    break
            if chosen:
                break
        if chosen is None:
            annotation.remove()
            continue
        names.append(chosen[0])
        if chosen[1] >= _LEADER_FROM:
            ax.annotate("", xy, xytext=annotation.xyann, textcoords="offset points", zorder=5,
                        arrowprops={"arrowstyle": "-", "lw": 0.6, "color": "black", "shrinkA": 0, "shrinkB": 0})
        if not branch:
            ax.plot([xy[0]], [xy[1]], marker="o", ms=2.5, color="black", zorder=6)
