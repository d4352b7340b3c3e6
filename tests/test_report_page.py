"""The reports' page frame (templates/base.html and the table macro): a phone viewport, and every
table in a box that scrolls sideways; tests/test_report_browser.py checks the pages at 390 px in Chromium."""

from __future__ import annotations

from sim.outputs.templating import ENV

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'
PAGE = ("{% extends 'base.html' %}{% import 'macros.html' as m with context %}{% block body %}"
        "<h2>one</h2>{{ m.table(['a', 'b'], [[1, '<x>']]) }}<p>between</p>{{ m.table(['c'], [[2.5]]) }}{% endblock %}")


def test_a_report_page_has_a_phone_viewport_and_every_table_scrolls_in_its_own_box():
    written = ENV.from_string(PAGE).render(language="en", title="t")
    head = written.split("<body>")[0]
    assert VIEWPORT in head and '<html lang="en">' in written and "<title>t</title>" in head
    assert written.count("<table>") == 2
    assert written.count('<div class="table-scroll" style="overflow-x:auto"><table>') == 2
    assert written.count("</table></div>") == 2
    assert "&lt;x&gt;" in written and "<x>" not in written  # cells are escaped
