"""The reports' templates (sim/outputs/templates, issue 23): a Vietnamese page writes every number
with the Vietnamese marks, every report template escapes a hostile unit name, and a template that
names a variable it was not given fails loudly instead of printing nothing."""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from jinja2 import UndefinedError

from sim.outputs.templating import ENV, render
from tests.conftest import compose_config

TINY = ("city.units=[ba_dinh,soc_son]", "period.end=2025-07-14", "replications=2", "progress=false")
HOSTILE = "<script>alert('x')</script> & Co"
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"
REPORTS = ("run_report.html", "comparison_report.html", "recommendation_report.html", "break_even_report.html",
           "validation_report.html")
# An English decimal: a dot between digits, unless it is Vietnamese grouping (a dot then exactly three
# digits: 9.622, 1.234,5). A three-decimal English number (0.125) would pass as grouping.
ENGLISH_DECIMAL = re.compile(r"\d\.(?!\d{3}(?:\D|$))\d")


def visible(page: str) -> str:
    """The page's text as a reader sees it: no style, no images, no tags, entities decoded."""
    page = re.sub(r"<style>.*?</style>|<img[^>]*>|<code>.*?</code>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_english_decimal_pattern_tells_decimals_from_vietnamese_grouping():
    assert ENGLISH_DECIMAL.search("40.53") and ENGLISH_DECIMAL.search("[0.09, 1.5]")
    assert not ENGLISH_DECIMAL.search("40,53 9.622 1.234,5 Nghị định 370/2025")


@pytest.fixture(scope="module")
def vi_run():
    """A tiny run's summary with report.language=vi, simulated once in this process."""
    import sim.api as api

    return api.run(compose_config(*TINY, "report.language=vi"), workers=1).run_summary


def test_a_vietnamese_run_report_writes_no_english_decimal(vi_run, tmp_path):
    from sim.outputs.run_files import write_run

    assert write_run(tmp_path, vi_run) == []
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    text = visible(page)
    assert '<html lang="vi">' in page and "Chi tiết" in text
    assert "từ 1 tháng 7, 2025 đến 14 tháng 7, 2025" in text  # dates as Vietnamese writes them
    assert re.search(r"\d,\d\d", text)  # the decimal comma is there (the city table, the verdict)
    assert not ENGLISH_DECIMAL.findall(text), ENGLISH_DECIMAL.findall(text)
    # the detail tables are headed and named in Vietnamese too, not with the CSVs' keys
    from sim.outputs.run_report import DETAIL_KPIS, UNIT_COLUMNS

    assert "chỉ số" in text and "trung bình" in text and "mức sử dụng của phòng bận nhất" in text
    assert not [key for key in (*DETAIL_KPIS, *UNIT_COLUMNS, "95 % low", "mean") if key in text]


def test_a_hostile_unit_and_scenario_name_reach_the_run_report_as_text(vi_run, tmp_path):
    from sim.outputs.run_report import write_run_report

    units = vi_run.units.copy()
    units["name"] = HOSTILE
    units["busiest_department"] = HOSTILE
    hostile = dataclasses.replace(vi_run, units=units, summary={**vi_run.summary, "scenario": HOSTILE},
                                  on_time_target_pct=100.5)  # every unit misses: named in the verdict and its table
    write_run_report(tmp_path, hostile)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in page and page.count(ESCAPED) >= 4  # title, heading, verdict, tables


def _png(tmp_path: Path) -> Path:
    from sim.outputs.figures import save, subplots

    return save(subplots(figsize=(1, 1))[0], tmp_path / "x.png")


def _contexts(png: Path) -> dict[str, dict]:
    """For each report template, a context whose every name and free text is HOSTILE."""
    table = {"columns": [HOSTILE, "n"], "rows": [[HOSTILE, 1.5]]}
    figure = {"path": png, "title": HOSTILE, "caption": HOSTILE, "id": HOSTILE}
    dates = {"start": "2025-07-01", "end": "2025-07-14"}
    return {
        "run_report.html": dict(title=HOSTILE, summary={"scenario": HOSTILE, "units": 2, "replications": 2,
                                                          "seed": 1, **dates},
                                sentences=[HOSTILE], branches=HOSTILE, maps=[figure], problem=HOSTILE,
                                missing=table, glossary=[(HOSTILE, HOSTILE)], city=table, units=table, figures=[png]),
        "comparison_report.html": dict(title=HOSTILE, heading=HOSTILE, answer=[HOSTILE], sentences=[HOSTILE],
                                       maps=[figure], problem=HOSTILE, missing=table, glossary=[(HOSTILE, HOSTILE)],
                                       units=2, reps=2, seed=1, baseline=HOSTILE, variants=[(HOSTILE, HOSTILE)],
                                       per_unit=HOSTILE, in_short=[HOSTILE], groups=[("city", table, table)],
                                       plots=[png], movers=[(HOSTILE, table)], movers_label=HOSTILE, **dates),
        "recommendation_report.html": dict(title=HOSTILE, units=2, branches=HOSTILE, seed=1, reps=2, max_reps=4,
                                           sentences=[HOSTILE], maps=[figure], glossary=[(HOSTILE, HOSTILE)],
                                           changed_units=1, total=2, changes=table, every_unit=table, method=HOSTILE,
                                           structures=table, plans=table, **dates),
        "break_even_report.html": dict(title=HOSTILE, sentences=[HOSTILE], problem="", map_path=png,
                                       columns=[HOSTILE, "n"], rows=[[HOSTILE, 1.5]]),
        "validation_report.html": dict(
            title=HOSTILE, s=SimpleNamespace(name=HOSTILE, units=[1, 2], replications=2, seed=1, **dates),
            plan=SimpleNamespace(little_tolerance=0.05, stable_load=0.9, little_censored_share=0.01),
            h=SimpleNamespace(little_window=("2025-09-15", "2025-10-12"), replications=2, start="2025-07-01", end="2025-10-31"), met=1,
            warnings=[HOSTILE], observations=table, overdue_note=HOSTILE, loads=table, little=table,
            little_summary=HOSTILE, little_note=HOSTILE, growth=table, growing=1, growth_units=2),
    }


@pytest.mark.parametrize("template", REPORTS)
@pytest.mark.parametrize("language", ["en", "vi"])
def test_every_report_template_escapes_a_hostile_name(template, language, tmp_path):
    page = render(template, language, **_contexts(_png(tmp_path))[template])
    assert "<script>" not in page and ESCAPED in page
    assert f'<html lang="{language}">' in page and 'content="width=device-width, initial-scale=1"' in page
    assert "1,5" in visible(page) if language == "vi" else "1.5" in visible(page)  # a table cell in the page's marks


def test_every_report_template_is_covered_here():
    shipped = {name for name in ENV.list_templates() if name.endswith("_report.html")}
    assert shipped == set(REPORTS)


@pytest.mark.parametrize("template", REPORTS)
def test_a_report_template_given_too_little_fails_loudly(template, tmp_path):
    context = _contexts(_png(tmp_path))[template]
    context.pop(next(iter(context)))  # title: every page needs one
    with pytest.raises(UndefinedError):
        render(template, "en", **context)


def test_a_misspelt_variable_in_a_template_is_an_error_not_an_empty_string():
    with pytest.raises(UndefinedError, match="titel"):
        ENV.from_string("{% extends 'base.html' %}{% block body %}{{ titel }}{% endblock %}").render(
            language="en", title="t")
    assert ENV.autoescape is True or ENV.autoescape("x.html")


def test_counts_take_the_plural_form_of_the_language_and_numbers_its_marks():
    from sim.outputs.language import number, plain, text

    assert text("r_not_settled", "en", n=1, names="x").startswith("1 unit is not settled")
    assert text("r_not_settled", "en", n=21, names="x").startswith("21 units are not settled")
    assert text("r_fix_add", "en", n=3, units=1, where="").endswith("in 1 unit")
    assert text("r_not_settled", "vi", n=1, names="x").startswith("1 đơn vị")
    assert number(-1234.567, "en", 2) == "-1,234.57" and number(-1234.567, "vi", 2) == "-1.234,57"
    assert number(0.5, "vi", 1, signed=True) == "+0,5" and plain(99.9, "vi") == "99,9" and plain(95, "en") == "95"
