"""The one-page verdict and its map: the status of a unit follows its interval, the map colours
the units with a value and hatches the rest, Vietnamese names render, the reports speak English or
Vietnamese, comparison.xlsx holds numbers, and every CSV opens in Excel (UTF-8 with a BOM)."""

from __future__ import annotations

import csv
import json
import tomllib
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import TwoSlopeNorm

from sim.model.city import DATA_DIR
from sim.outputs.unit_map import BOUNDARIES, FONT, branch_locations, plot_unit_map, unit_shapes
from sim.outputs.verdict import target_status, today_sentences
from tests.conftest import ROOT, compose_config, run_module

TINY = ("city.units=[ba_dinh,soc_son]", "period.end=2025-07-14", "replications=2", "progress=false")


def _table(rows):
    return pd.DataFrame([{"slug": s, "name": s, "kind": "ward", "on_time_of_received_pct": m,
                          "on_time_of_received_pct_ci95_low": lo, "on_time_of_received_pct_ci95_high": hi}
                         for s, m, lo, hi in rows])


def test_a_unit_misses_only_when_its_whole_interval_is_on_the_wrong_side():
    units = _table([("below", 90, 88, 92), ("straddles", 94, 92, 96), ("above", 97, 95.5, 99), ("edge", 95, 95, 96),
                    ("unknown", np.nan, np.nan, np.nan), ("one_rep", 94, np.nan, np.nan)])
    status = target_status(units, "on_time_of_received_pct", 95).set_index("slug")["status"]
    assert status.to_dict() == {"below": "misses", "straddles": "uncertain", "above": "meets", "edge": "meets",
                                "unknown": "no_data", "one_rep": "misses"}
    waits = _table([("short", 10, 8, 12), ("long", 40, 35, 45), ("around", 29, 25, 33)])
    lower = target_status(waits, "on_time_of_received_pct", 30, higher_is_better=False).set_index("slug")["status"]
    assert lower.to_dict() == {"short": "meets", "long": "misses", "around": "uncertain"}
    said = " ".join(today_sentences(target_status(units, "on_time_of_received_pct", 95), 95, "en"))
    assert "2 of 5 units miss" in said and "1 more cannot be told" in said


def test_the_packaged_boundaries_match_the_unit_table_and_ship_in_the_wheel():
    with open(DATA_DIR / "hanoi_units_2025.csv", encoding="utf-8-sig", newline="") as handle:
        table = {r["slug"]: (r["name"], r["kind"]) for r in csv.DictReader(handle)}
    shapes = {s.slug: (s.name, s.kind) for s in unit_shapes()}
    assert shapes == table and len(shapes) == 126
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["sim"]
    assert "data/*.geojson" in package_data and "data/*.csv" in package_data
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert BOUNDARIES in readme and "licence" in readme.lower()


def test_each_branch_sits_among_the_units_of_its_former_district():
    places = branch_locations()
    assert len(places) == 12 and places["slug"].is_unique
    rings = {s.slug: np.concatenate(s.rings) for s in unit_shapes()}
    with open(DATA_DIR / "centre_branch_locations.csv", encoding="utf-8-sig", newline="") as handle:
        district = {r["slug"]: r["units"].split() for r in csv.DictReader(handle)}
    for row in places.itertuples():
        points = np.concatenate([rings[u] for u in district[row.slug]])
        (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
        assert x0 <= row.lon <= x1 and y0 <= row.lat <= y1, row.slug


def test_the_map_colours_units_with_a_value_and_hatches_the_others():
    shapes = unit_shapes()
    valued = {s.slug: 80.0 + k for k, s in enumerate(shapes[:10])}
    fig = plot_unit_map(pd.Series(valued), label="on time (% of records received)", target=95,
                        labelled=["ba_dinh"])
    ax = fig.axes[0]
    polys = [c for c in ax.collections if isinstance(c, PolyCollection)]
    rings = {s.slug: len(s.rings) for s in shapes}
    coloured, empty = polys
    assert len(coloured.get_paths()) == sum(rings[s] for s in valued)
    assert len(empty.get_paths()) == sum(rings.values()) - len(coloured.get_paths()) and empty.get_hatch() == "///"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("no value" in t for t in legend) and not any("Centre branch" in t for t in legend)  # none in the values
    assert fig.axes[1].get_ylabel() == "on time (% of records received)"  # the colour bar says what and in what unit
    assert "longitude" in ax.get_xlabel() and "latitude" in ax.get_ylabel()
    assert ax.get_aspect() == pytest.approx(1 / np.cos(np.radians(np.mean(ax.get_ylim()))), rel=1e-3)
    assert [t.get_text() for t in ax.texts if t.get_text() == "Phường Ba Đình"]
    change = plot_unit_map(pd.Series({s.slug: (-1.0) ** k * k for k, s in enumerate(shapes)}), label="Δ", diverging=True)
    norm = change.axes[0].collections[0].norm  # the coloured units' scale
    assert isinstance(norm, TwoSlopeNorm) and norm.vcenter == 0 and norm.vmin == -norm.vmax


def test_every_vietnamese_unit_name_renders_in_the_map_font(tmp_path):
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    font = FT2Font(font_manager.findfont(FONT, fallback_to_default=False))
    glyphs = set(font.get_charmap())
    names = [s.name for s in unit_shapes()]
    missing = {ch for name in names for ch in name if ord(ch) not in glyphs}
    assert not missing
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)" when one is not drawn
        fig = plot_unit_map(pd.Series(dtype=float), label="x", labelled=[s.slug for s in unit_shapes()][:40],
                            language="vi")
        fig.savefig(tmp_path / "names.png")


@pytest.fixture(scope="module")
def vi_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vi") / "run"
    done = run_module("sim", *TINY, "report.language=vi", "report.on_time_target_pct=100", f"hydra.run.dir={folder}",
                      cwd=folder.parent)
    assert done.returncode == 0, done.stderr
    return folder


def test_a_run_report_in_vietnamese_leads_with_the_verdict_and_the_map(vi_run):
    page = (vi_run / "report.html").read_text(encoding="utf-8")
    assert page.index("Kết luận") < page.index("Bản đồ") < page.index("Thuật ngữ") < page.index("Chi tiết")
    assert "Phường Ba Đình" in page and "Xã Sóc Sơn" in page  # names with their diacritics
    assert "mục tiêu 100 %" in page
    units = pd.read_csv(vi_run / "units.csv")
    status = target_status(units, "on_time_of_received_pct", 100)
    short = status[status["status"] != "meets"]
    verdict = page[page.index("id='verdict'"):page.index("id='map'")]
    assert all(name in verdict for name in short["name"])  # the units short of the target are named first
    assert (vi_run / "unit_map.png").read_bytes()[:4] == b"\x89PNG"


def test_every_csv_a_run_writes_opens_in_excel_and_reads_back(vi_run):
    for path in vi_run.glob("*.csv"):
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), path.name  # the byte-order mark Excel needs for UTF-8
        assert list(pd.read_csv(path).columns)[0] == raw[3:].split(b",")[0].decode("utf-8")  # read without the mark
    names = pd.read_csv(vi_run / "units.csv")["name"]
    assert "Phường Ba Đình" in set(names)


def test_an_unknown_report_language_stops_with_one_clear_line(tmp_path):
    done = run_module("sim", *TINY, "report.language=fr", f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    lines = done.stderr.strip().splitlines()
    assert done.returncode != 0 and len(lines) == 1 and "report.language" in lines[0] and "'fr'" in lines[0]
    assert not (tmp_path / "run" / "summary.json").exists()


def test_the_comparison_workbook_holds_numbers_with_formats_and_says_how_it_was_made(tmp_path):
    from openpyxl import load_workbook

    from sim.experiments.comparison import compare
    from sim.outputs.comparison_report import write_comparison

    cfg = compose_config(*TINY, "compare.structures=[three_departments,five_departments_urban]",
                         "compare.policies=[same_headcount]")
    comparison = compare(cfg, workers=1)
    write_comparison(tmp_path, comparison)
    book = load_workbook(tmp_path / "comparison.xlsx")
    about = {row[0]: row[1] for row in book["about"].iter_rows(min_row=2, values_only=True)}
    assert about["seed"] == cfg.seed and about["replications"] == 2 and about["scenario"] == cfg.scenario.name
    assert {"made on", "simulator version", "interval"} <= set(about)
    sheet = book["headline_city"]
    header = [c.value for c in sheet[1]]
    mean, low, high = (header.index(f"on time (% of received) {part}") + 1 for part in ("mean", "95% low", "95% high"))
    for row in range(2, sheet.max_row + 1):
        values = [sheet.cell(row, c).value for c in (mean, low, high)]
        assert all(isinstance(v, (int, float)) for v in values) and values[1] <= values[0] <= values[2]  # numbers, not text
        assert sheet.cell(row, mean).number_format == "0.00"
    city = comparison.table.query("group == 'city' and kpi == 'on_time_of_received_pct'")
    assert sheet.cell(2, mean).value == pytest.approx(city["mean"].iloc[0])
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.index("id='verdict'") < page.index("id='map'") < page.index("id='detail'")
    assert json.loads((tmp_path / "variants" / "three_departments" / "summary.json").read_text())["replications"] == 2


def test_a_chart_that_does_not_start_at_zero_says_so():
    from sim.outputs.figures import mark_axis_break, subplots

    fig, ax = subplots()
    ax.bar([0, 1], [96, 99])
    ax.set_ylim(94, 100)
    ax.set_ylabel("on time (%)")
    mark_axis_break(ax)
    assert "starts at 94, not 0" in ax.get_ylabel() and len(ax.get_lines()) == 2  # the label and the two slashes
    fig, ax = subplots()
    ax.bar([0, 1], [96, 99])
    ax.set_ylabel("on time (%)")
    mark_axis_break(ax)
    assert ax.get_ylabel() == "on time (%)" and not ax.get_lines()
