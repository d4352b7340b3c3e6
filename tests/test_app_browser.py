"""The web app (python -m sim.app) driven in headless Chromium as a user drives it: the server is
started on a free loopback port and stopped by the fixture (also when a test fails); the page is
read at desktop width (1400 px) and phone width (390 px); a control is changed and the text
follows; no Streamlit exception shows; a name holding HTML stays text.

Same rule as tests/test_report_browser.py: without Chromium the test fails, unless
``SIM_ALLOW_NO_BROWSER=1``. Every wait is for a condition, with a generous timeout: nothing
depends on how fast the machine is. ``SIM_SCREENSHOTS=DIR`` keeps the screenshots there.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.test_report_browser import headless_chromium

pytestmark = pytest.mark.slow
STARTUP_S = 180  # the server's first page imports pandas, Hydra and Streamlit: slow on a busy machine
RUN_S = 300  # a run of the default two units, two weeks, three replications, twice
EXCEPTION = '[data-testid="stException"]'
HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as reply:
            return reply.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The app served by ``python -m sim.app`` on 127.0.0.1, stopped at the end whatever happens."""
    import time

    folder = tmp_path_factory.mktemp("app")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (folder / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "sim.app", "--port", str(port), "--address", "127.0.0.1"],
                              cwd=folder, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "HOME": str(folder)})
    try:
        deadline = time.monotonic() + STARTUP_S
        while not _healthy(url):
            assert server.poll() is None, (folder / "server.log").read_text()
            assert time.monotonic() < deadline, f"no answer in {STARTUP_S} s: " + (folder / "server.log").read_text()
            time.sleep(0.5)  # polling a condition, not timing it
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with headless_chromium(tmp_path_factory.mktemp("chromium-profile"), 120, ("--hide-scrollbars",)) as driver:
        yield driver


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("SIM_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _wait(driver, condition, timeout: float, what: str):
    from selenium.common.exceptions import (ElementClickInterceptedException, ElementNotInteractableException,
                                            StaleElementReferenceException, TimeoutException)
    from selenium.webdriver.support.ui import WebDriverWait

    # Streamlit redraws elements as a script reruns: an element read or clicked mid-redraw is tried again
    redrawn = (StaleElementReferenceException, ElementClickInterceptedException, ElementNotInteractableException)
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.5, ignored_exceptions=redrawn).until(condition)
    except TimeoutException:
        errors = [e.text for e in driver.find_elements("css selector", EXCEPTION)]
        raise AssertionError(f"waited {timeout} s for {what}; Streamlit exceptions on the page: {errors}") from None


def _text_of(driver, css: str) -> str:
    found = driver.find_elements("css selector", css)
    return found[0].text if found else ""


def _open(driver, url: str, width: int) -> None:
    driver.set_window_size(width, 1000)
    driver.get(url)
    _wait(driver, lambda d: _text_of(d, "ul.app-city") or _text_of(d, "h1"), STARTUP_S, "the first screen")
    _wait(driver, lambda d: "Hanoi service points" in _text_of(d, "h1"), STARTUP_S, "the title")


def _no_exception(driver) -> None:
    assert driver.find_elements("css selector", EXCEPTION) == []


def _no_alert(driver) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        text = driver.switch_to.alert.text
    except NoAlertPresentException:
        return
    raise AssertionError(f"a script of the page ran: alert {text!r}")


def _click_text(driver, scope_css: str, tag: str, text: str, timeout: float = 120) -> None:
    """Click the ``tag`` whose text is ``text`` inside ``scope_css``, once Streamlit has drawn it."""
    def click(d) -> bool:
        for element in d.find_elements("css selector", f"{scope_css} {tag}"):
            if element.text.strip() == text:
                d.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
                element.click()
                return True
        return False

    _wait(driver, click, timeout, f"a {tag} {text!r} in {scope_css}")


def test_the_app_at_desktop_width_runs_a_change_and_follows_the_controls(browser, app_url, shots):
    from selenium.webdriver.common.by import By

    _open(browser, app_url, 1400)
    city = _wait(browser, lambda d: _text_of(d, "ul.app-city"), STARTUP_S, "the stored city verdict")
    assert "95 % interval" in city and "replications" in city  # the range and what it rests on, first screen
    _no_exception(browser)
    browser.save_screenshot(str(shots / "app_desktop_first.png"))

    # the language: the page's words change, then back
    _click_text(browser, "[data-testid='stRadio']", "label", "Tiếng Việt")
    _wait(browser, lambda d: "Bộ phận một cửa" in _text_of(d, "h1"), 60, "the Vietnamese title")
    _wait(browser, lambda d: "khoảng tin cậy 95 %" in _text_of(d, "ul.app-city"), 60, "the Vietnamese city verdict")
    _click_text(browser, "[data-testid='stRadio']", "label", "English")
    _wait(browser, lambda d: "95 % interval" in _text_of(d, "ul.app-city"), 60, "the English city verdict")

    # a name holding HTML, then Run: the verdict of the change against today
    sidebar = "[data-testid='stSidebar']"
    name = browser.find_element(By.CSS_SELECTOR, f"{sidebar} input[type='text']")
    name.send_keys(HOSTILE)
    _click_text(browser, sidebar, "button", "Run")
    first = _wait(browser, lambda d: _text_of(d, "ul.app-verdict"), RUN_S, "the verdict of the first run")
    assert HOSTILE in first  # shown as the text it is
    assert browser.find_elements(By.CSS_SELECTOR, "img[src='x']") == []  # and not run as markup
    assert not browser.execute_script("return [...document.scripts].some(s => s.text.includes('alert(2)'))")
    _no_alert(browser)
    assert "95 % interval" in first and "Rests on" in first
    _no_exception(browser)
    browser.save_screenshot(str(shots / "app_desktop_run.png"))

    # demand growth up by 0.3: the verdict's figures change
    growth = browser.find_element(By.XPATH, "//label[contains(., 'Demand, times')]/ancestor::div"
                                            "[@data-testid='stNumberInput']")
    for _ in range(3):
        growth.find_element(By.CSS_SELECTOR, "[data-testid='stNumberInputStepUp']").click()
    _wait(browser, lambda d: growth.find_element(By.TAG_NAME, "input").get_attribute("value") == "1.30", 30,
          "demand growth 1.30")
    _click_text(browser, sidebar, "button", "Run")
    second = _wait(browser, lambda d: (lambda s: s if s and s != first else "")(_text_of(d, "ul.app-verdict")),
                   RUN_S, "a new verdict after the change of demand")
    assert second != first and "Rests on" in second
    _no_exception(browser)
    browser.save_screenshot(str(shots / "app_desktop_growth.png"))

    # the reports, made on request, offered for download beside the tables
    _click_text(browser, "[data-testid='stMain']", "button", "Make the reports (a few seconds)")
    _wait(browser, lambda d: {"Report of today (report.html)", "Report of your change (report.html)"} <= {
        b.text.strip() for b in d.find_elements(By.CSS_SELECTOR, "[data-testid='stDownloadButton'] button")}, RUN_S,
        "the two reports' download buttons")
    _no_exception(browser)

    # no unit at all: a plain message, not a traceback
    from selenium.webdriver.common.keys import Keys

    units = browser.find_element(By.CSS_SELECTOR, f"{sidebar} [data-testid='stMultiSelect'] input")
    units.click()
    for _ in range(3):
        units.send_keys(Keys.BACKSPACE)
    _click_text(browser, sidebar, "button", "Run")
    _wait(browser, lambda d: any("Choose at least one unit." in a.text
                                 for a in d.find_elements(By.CSS_SELECTOR, "[data-testid='stAlert']")), 60,
          "the message for no unit")
    _no_exception(browser)


def test_the_app_fits_a_phone_screen(browser, app_url, shots):
    _open(browser, app_url, 390)
    city = _wait(browser, lambda d: _text_of(d, "ul.app-city"), STARTUP_S, "the stored city verdict")
    assert "95 % interval" in city
    _no_exception(browser)
    width = browser.execute_script("return document.documentElement.scrollWidth")
    viewport = browser.execute_script("return window.innerWidth")
    assert width <= viewport + 4, f"the page is {width} px wide on a {viewport} px screen"
    browser.save_screenshot(str(shots / "app_phone_first.png"))
