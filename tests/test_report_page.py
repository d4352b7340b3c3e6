"""The reports' page frame (templates/base.html, through sim.outputs.run_report.page): a phone
viewport, and every table in a box that scrolls sideways; tests/test_report_browser.py checks the
pages at 390 px in Chromium."""

from __future__ import annotations

import pandas as pd

from sim.outputs.run_report import page, scrollable_tables

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def test_a_report_page_has_a_phone_viewport_and_every_table_scrolls_in_its_own_box():
    table = pd.DataFrame({"a": [1], "b": ["<x>"]}).to_html(index=False, border=0)
    written = page("t", f"<h2>one</h2>{table}<p>between</p>{table.upper()}", "en")
    assert VIEWPORT in written.split("<body>")[0] and '<html lang="en">' in written
    assert written.count('<div class="table-scroll" style="overflow-x:auto"><table') == 1
    assert written.count('<div class="table-scroll" style="overflow-x:auto"><TABLE') == 1
    assert written.count("</table></div>") == 1 and written.count("</TABLE></div>") == 1
    assert "&lt;x&gt;" in written  # pandas escapes cells; wrapping leaves them so


def test_text_without_a_table_is_left_as_it_is():
    assert scrollable_tables("<p>tables are described here</p>") == "<p>tables are described here</p>"
