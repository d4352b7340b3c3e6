"""The one Jinja2 environment every HTML report is rendered through (templates in ``templates/``).

Autoescaping is on, so a name from a scenario or a unit table (``<script>`` included) reaches the
page as text; ``StrictUndefined`` makes a misspelt variable in a template an error, not an empty
string. Numbers, percentages and dates go through Babel in the report's language (the ``language``
every template is rendered with): ``40,53`` on a Vietnamese page, ``40.53`` on an English one.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import numbers
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_percent
from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from markupsafe import Markup

from sim.outputs.language import markup, number, plain


@pass_context
def _number(ctx, value, digits: int = 1, signed: bool = False) -> str:
    """``{{ x|number(2) }}``: a number with the page language's marks; empty for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return number(value, ctx["language"], digits, signed)


@pass_context
def _percent(ctx, share, digits: int = 1) -> str:
    """``{{ 0.405|percent }}``: a share as a percentage in the page language (40.5% / 40,5%)."""
    return format_percent(share, f"#,##0.{'0' * digits}%" if digits else "#,##0%", locale=ctx["language"])


@pass_context
def _plain(ctx, value) -> str:
    """``{{ setting|plain }}``: a setting as written, without trailing zeros (95, 99.9 / 99,9)."""
    return plain(value, ctx["language"])


@pass_context
def _date(ctx, value, form: str = "long") -> str:
    """``{{ day|date }}``: a date (or ISO date string) as the page language writes it (July 1, 2025 /
    1 tháng 7, 2025; ``date("medium")``: Jul 1, 2025 / 1 thg 7, 2025)."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return format_date(value, form, locale=ctx["language"])


@pass_context
def _cell(ctx, value, digits: int = 2) -> str:
    """A table cell: a float with ``digits`` decimals in the page language, an int grouped, text as it is."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return value
    return number(value, ctx["language"], 0 if isinstance(value, numbers.Integral) else digits)


@pass_context
def _text(ctx, key: str, **fields) -> Markup:
    """``{{ t('verdict') }}``: a phrase of sim.outputs.language in the page language, fields escaped."""
    return markup(key, ctx["language"], **fields)


def data_uri(path: Path) -> str:
    """A PNG as a data: URI, so that the page needs no other file."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


ENV = Environment(loader=PackageLoader("sim.outputs", "templates"), autoescape=True, undefined=StrictUndefined,
                  trim_blocks=True, lstrip_blocks=True)
ENV.filters.update(number=_number, percent=_percent, plain=_plain, date=_date, cell=_cell, data_uri=data_uri)
ENV.globals.update(t=_text)


def render(template: str, language: str, **context) -> str:
    """The page ``template`` rendered in ``language`` (``en`` or ``vi``) with ``context``."""
    return ENV.get_template(template).render(language=language, **context)

