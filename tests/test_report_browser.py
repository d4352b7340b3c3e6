"""report.html checked in a real browser: headless Chromium (Debian's chromium and chromium-driver,
driven by Selenium) opens a run's, a comparison's and a recommendation's report and finds the
verdict, the maps and no broken image.

The browser is required: without it the test fails, so CI (.ci/run installs it) cannot pass by
skipping. Only ``SIM_ALLOW_NO_BROWSER=1`` (for a developer's machine without Chromium) skips it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import compose_config, run_module

TINY = ("city.units=[ba_dinh,soc_son]", "period.end=2025-07-14", "replications=2", "progress=false")
CHROMIUM = os.environ.get("SIM_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SIM_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1200,2000")


def _missing() -> str:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the Python package selenium is not installed (pip install -e '.[test]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (Path(path).is_file() or shutil.which(path)):
            return f"{path} not found (apt-get install -y chromium chromium-driver)"
    return ""


@contextlib.contextmanager
def headless_chromium(profile: Path, page_load_timeout: float = 60, extra: tuple[str, ...] = ()):
    """Debian's headless Chromium driven by Selenium, quit at the end; without it the test fails
    (or skips, with SIM_ALLOW_NO_BROWSER=1 on a machine that has none)."""
    missing = _missing()
    if missing:
        if os.environ.get("SIM_ALLOW_NO_BROWSER") == "1":
            pytest.skip(f"SIM_ALLOW_NO_BROWSER=1 and {missing}")
        pytest.fail(f"the browser test needs headless Chromium: {missing}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, *extra, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(page_load_timeout)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with headless_chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """A tiny run's and a tiny comparison's report.html."""
    from sim.experiments.comparison import compare
    from sim.outputs.comparison_report import write_comparison

    root = tmp_path_factory.mktemp("reports")
    done = run_module("sim", *TINY, "report.on_time_target_pct=100", f"hydra.run.dir={root / 'run'}", cwd=root)
    assert done.returncode == 0, done.stderr
    cfg = compose_config(*TINY, "compare.structures=[three_departments,five_departments_urban]",
                         "compare.policies=[same_headcount]")
    write_comparison(root / "compare", compare(cfg, workers=1))
    done = run_module("sim.recommend", *TINY, "recommend.max_rounds=4", f"hydra.run.dir={root / 'recommend'}", cwd=root)
    assert done.returncode == 0, done.stderr
    return {"run": root / "run" / "report.html", "compare": root / "compare" / "report.html",
            "recommend": root / "recommend" / "report.html"}


@pytest.mark.parametrize("which", ["run", "compare"])
def test_the_report_shows_the_verdict_and_the_map_and_no_broken_image_in_chromium(browser, reports, which):
    from selenium.webdriver.common.by import By

    browser.get(reports[which].as_uri())
    verdict = browser.find_element(By.ID, "verdict")
    sentences = verdict.find_elements(By.CSS_SELECTOR, "ul.verdict li")
    assert sentences and "on-time target" in sentences[0].text and verdict.is_displayed()
    headings = [h.text for h in browser.find_elements(By.TAG_NAME, "h2")]
    assert headings.index("Verdict") < headings.index("Map") < headings.index("Detail")  # the verdict comes first
    images = browser.find_elements(By.TAG_NAME, "img")
    assert images
    broken = [img.get_attribute("alt") for img in images
              if not browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img)]
    assert broken == []
    unit_map = verdict.find_element(By.CSS_SELECTOR, "figure img")
    assert "by unit" in unit_map.get_attribute("alt")
    assert browser.execute_script("return arguments[0].naturalWidth", unit_map) > 400  # the map, drawn
    assert unit_map.size["width"] > 0 and unit_map.size["height"] > 0  # laid out on the page


def _broken_images(browser) -> list[str]:
    from selenium.webdriver.common.by import By

    return [img.get_attribute("alt") for img in browser.find_elements(By.TAG_NAME, "img")
            if not browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img)]


def test_the_recommendation_report_shows_the_verdict_and_both_change_maps_in_chromium(browser, reports):
    from selenium.webdriver.common.by import By

    browser.get(reports["recommend"].as_uri())
    verdict = browser.find_element(By.ID, "verdict")
    sentences = [li.text for li in verdict.find_elements(By.CSS_SELECTOR, "ul.verdict li")]
    assert verdict.is_displayed() and sentences[0].startswith("Targets:")
    assert any(line.startswith("What it takes") for line in sentences)  # ":" or " (the N settled units):"
    assert any("Probability each target is met" in line for line in sentences)
    headings = [h.text for h in browser.find_elements(By.TAG_NAME, "h2")]
    assert headings.index("Verdict") < headings.index("Map") < headings.index("Detail")
    assert _broken_images(browser) == [] and browser.find_elements(By.TAG_NAME, "img")
    for figure, alt in (("map_officers", "processing officers"), ("map_counters", "counters"), ("map_kpi", "Today")):
        image = verdict.find_element(By.CSS_SELECTOR, f"figure#{figure} img")  # the maps belong to the verdict
        assert alt in image.get_attribute("alt")
        assert browser.execute_script("return arguments[0].naturalWidth", image) > 400  # the map, drawn
        assert image.size["width"] > 300 and image.size["height"] > 300  # laid out, large enough to read
    two = [verdict.find_element(By.CSS_SELECTOR, f"figure#{f}").location for f in ("map_officers", "map_counters")]
    assert two[0]["y"] == two[1]["y"] and two[0]["x"] < two[1]["x"]  # the change maps side by side
    names = browser.find_element(By.ID, "units").text
    assert "Phường Ba Đình" in names and "Xã Sóc Sơn" in names  # unit names with their diacritics


@pytest.mark.parametrize("which", ["run", "compare", "recommend"])
def test_the_report_fits_a_phone_screen_its_tables_scroll_inside_their_box(browser, reports, which):
    from selenium.webdriver.common.by import By

    browser.set_window_size(390, 2000)
    try:
        browser.get(reports[which].as_uri())
        viewport = browser.execute_script("return window.innerWidth")
        assert viewport <= 400  # the phone's width, not the desktop window's
        assert browser.execute_script("return document.documentElement.scrollWidth") <= viewport + 4
        meta = browser.find_element(By.CSS_SELECTOR, "meta[name='viewport']").get_attribute("content")
        assert meta == "width=device-width, initial-scale=1"
        tables = browser.find_elements(By.TAG_NAME, "table")
        assert tables
        for table in tables:  # each in a box that scrolls sideways
            box = table.find_element(By.XPATH, "..")
            assert box.get_attribute("class") == "table-scroll" and box.value_of_css_property("overflow-x") == "auto"
        assert _broken_images(browser) == []
    finally:
        browser.set_window_size(1200, 2000)
