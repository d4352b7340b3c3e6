"""``calendar``: sessions and days off for the period, checked (:mod:`sim.config.build`)."""

from __future__ import annotations

import datetime as dt

from sim.model.calendar import TAIL_DAYS, CalendarSpec, statutory_holidays, statutory_years
from sim.errors import ConfigError
from sim.config.checks import _choice, _clock, _date, _sessions


HOLIDAY_SOURCES = ("holidays_package", "none")


def _calendar(c: dict, start: dt.date, end: dt.date) -> CalendarSpec:
    """Sessions and days off for the period; a period the calendar's lists do not cover is refused."""
    sessions = _sessions(c["sessions"], "calendar.sessions")
    if not sessions:
        raise ConfigError("calendar.sessions", "at least one weekday session is needed")
    saturday = _sessions(c["saturday_sessions"], "calendar.saturday_sessions") if c["saturday_morning"] else ()
    source = _choice(c["holidays_source"], "calendar.holidays_source", HOLIDAY_SOURCES)
    _covers_period(c["covered_years"], start, end)
    days_off = {_date(h, f"calendar.extra_days_off[{k}]") for k, h in enumerate(c["extra_days_off"])}
    make_up = set()
    for k, text in enumerate(c["make_up_working_days"]):
        key = f"calendar.make_up_working_days[{k}]"
        day = _date(text, key)
        if day.weekday() < 5:
            raise ConfigError(key, f"{day} is a {day:%A}: a make-up working day is a Saturday or Sunday")
        if day in days_off:
            raise ConfigError(key, f"{day} is also in calendar.extra_days_off")
        make_up.add(day)
    holidays = frozenset(days_off)
    if source == "holidays_package":
        holidays |= _statutory_holidays(start, end)
        clash = sorted(make_up & holidays)
        if clash:
            raise ConfigError("calendar.make_up_working_days", f"{clash[0]} is a public holiday")
    return CalendarSpec(
        sessions=sessions,
        saturday_sessions=saturday,
        holidays=holidays,
        same_day_cutoff=_clock(c["same_day_cutoff"], "calendar.same_day_cutoff"),
        always_open=bool(c["always_open"]),
        make_up_working_days=frozenset(make_up),
    )


def _covers_period(covered_years: list[int] | None, start: dt.date, end: dt.date) -> None:
    """Every year of the period must be one the calendar's announced days are listed for."""
    if covered_years is None:
        return
    covered = sorted({int(y) for y in covered_years})
    if not covered:
        raise ConfigError("calendar.covered_years", "is empty: list the years the calendar's days off are known for")
    contiguous = covered == list(range(covered[0], covered[-1] + 1))
    span = f"{covered[0]}–{covered[-1]}" if contiguous else ", ".join(map(str, covered))
    missing = [year for year in range(start.year, end.year + 1) if year not in covered]
    if missing:
        key, day = ("period.start", start) if start.year in missing else ("period.end", end)
        raise ConfigError(key, f"{day} is outside the calendar: it covers {span} (calendar.covered_years)")


def _statutory_holidays(start: dt.date, end: dt.date) -> frozenset[dt.date]:
    """The package's holidays for the period and the calendar's tail after it."""
    try:
        known = statutory_years()
    except ImportError:
        raise ConfigError("calendar.holidays_source",
                          "holidays_package needs the Python package 'holidays' (pip install 'holidays>=0.106')") from None
    for key, day in (("period.start", start), ("period.end", end)):
        if day.year not in known:
            raise ConfigError(key, f"{day} is outside the years the holidays package knows ({known.start}–{known.stop - 1})")
    tail_end = end + dt.timedelta(days=TAIL_DAYS)
    return statutory_holidays(start.year, min(tail_end.year, known.stop - 1))
