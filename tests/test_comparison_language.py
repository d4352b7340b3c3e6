"""The structure comparison's report in Vietnamese and in English (issue 23): headings, tables,
the variants in words and decimal commas, on one tiny comparison built once."""

import dataclasses
import html
import re

import pandas as pd
import pytest

from sim.experiments.comparison import compare
from sim.outputs.comparison_report import headline_table, plot_differences, plot_groups, write_comparison
from tests.conftest import compose_config
from tests.test_maps import _comparison

TINY = ("city.units=[bach_mai,soc_son]", "centre.enabled=false", "period.end=2025-07-21", "replications=2",
        "progress=false", "compare.structures=[three_departments,four_departments_land]",
        "compare.policies=[same_headcount,extra_head]")
ENGLISH_HEADINGS = ("Levels", "Paired difference", "Units that gain", "All units", "Wards", "Communes", "Charts",
                    "Each variant in short", "Baseline", "replications", "not distinguishable", "by structure")
DOT_DECIMAL = re.compile(r"\d\.\d")


def _visible(page: str) -> str:
    """The page's text as a reader sees it: no style, no images, no tags."""
    page = re.sub(r"<style>.*?</style>|<img[^>]*>|<code>.*?</code>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _cells(page: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", page, flags=re.S)]


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    comparison = compare(compose_config(*TINY, "report.language=vi"), workers=2)
    english = dataclasses.replace(comparison, runs=[
        dataclasses.replace(r, scenario=dataclasses.replace(r.scenario, report_language="en")) for r in comparison.runs])
    folder = tmp_path_factory.mktemp("comparison")
    pages = {}
    for language, c in (("vi", comparison), ("en", english)):
        assert write_comparison(folder / language, c) == []
        pages[language] = (folder / language / "report.html").read_text()
    return comparison, english, folder, pages


def test_a_vietnamese_comparison_report_has_no_english_headings_slugs_or_decimal_points(reports):
    comparison, _, folder, pages = reports
    text = _visible(pages["vi"])
    detail = text[text.index("Chi tiết"):]
    for heading in ENGLISH_HEADINGS:
        assert heading not in detail, heading
    for run in comparison.runs:
        for slug in {run.variant.name, run.variant.structure, run.variant.policy}:
            assert slug not in text, slug
    assert "Mức (trung bình" in detail and "Phường" in detail and "Xã" in detail and "Biểu đồ" in detail
    assert "4 phòng ở phường (giữ nguyên biên chế)" in detail  # a variant in words
    cells = _cells(pages["vi"])
    assert cells and not [c for c in cells if DOT_DECIMAL.search(c)]
    assert any(re.search(r"\d,\d", c) for c in cells)  # decimal commas
    assert not DOT_DECIMAL.search(detail.split("Đơn vị được lợi")[0])  # prose and tables before the unit lists
    csv = pd.read_csv(folder / "vi" / "comparison.csv")  # machine files keep the names
    assert "four_departments_land/same_headcount" in set(csv["variant"])
    sheet = pd.read_excel(folder / "vi" / "comparison.xlsx", sheet_name="headline_city")
    assert "variant" in sheet.columns and "phương án" in sheet.columns
    assert any(c.startswith("đúng hạn (% tiếp nhận)") and c.endswith("trung bình") for c in sheet.columns)


def test_the_english_comparison_report_keeps_its_headings_and_decimal_points(reports):
    _, english, folder, pages = reports
    text = _visible(pages["en"])
    for heading in ("Levels (mean [95 % CI])", "Paired difference to 3 departments", "Units that gain and lose most",
                    "All units", "Wards", "Communes", "Charts", "Each variant in short"):
        assert heading in text, heading
    assert "4 departments in wards (extra head)" in text
    cells = _cells(pages["en"])
    assert any(re.search(r"^\d+\.\d\d \[", c) for c in cells)  # '99.93 [99.93, 99.94]'
    table = headline_table(english, "city")  # the console's and the API's table: names and English labels
    assert table["variant"].iloc[0] == "three_departments" and "on time (% of received)" in table.columns
    sheet = pd.read_excel(folder / "en" / "comparison.xlsx", sheet_name="headline_city")
    assert "on time (% of received) 95% low" in sheet.columns


def test_comparison_charts_speak_the_report_language(reports):
    comparison, english, _, _ = reports
    fig = plot_groups(comparison, "on_time_of_received_pct")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Tất cả đơn vị", "Phường", "Xã"]
    assert "theo cơ cấu" in ax.get_title() and "axis broken" not in ax.get_ylabel()
    assert "3 phòng" in [t.get_text() for t in ax.get_legend().get_texts()]
    fig.canvas.draw()
    assert not any(DOT_DECIMAL.search(t.get_text()) for t in ax.get_yticklabels())
    assert "by structure" in plot_groups(english, "on_time_of_received_pct").axes[0].get_title()
    title = plot_differences(comparison)._suptitle.get_text()
    assert "so với 3 phòng" in title


def test_difference_ticks_take_a_decimal_comma_in_vietnamese():
    fig = plot_differences(_comparison({}, language="vi"))
    fig.canvas.draw()
    labels = [t.get_text() for ax in fig.axes for t in ax.get_xticklabels() if t.get_text()]
    assert any("," in t for t in labels) and not any("." in t for t in labels), labels
