"""``scenario.demand.before_opening``, ``scenario.demand.group_hour_weights`` and ``desks.booking``
validated: the day as it starts (:mod:`sim.engines.arrivals`).

Kept apart from :mod:`sim.config.build`, which calls :func:`day_start`; ``check_range`` is passed
in so that this module does not import the builder.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Callable

from sim.errors import ConfigError
from sim.model.calendar import MINUTES_PER_DAY, CalendarSpec
from sim.model.catalogue import Procedure
from sim.model.scenario import BeforeOpening, Booking, DeskPolicy

BOOKED_SERVICE = ("priority", "fifo")
PATIENCE_FROM = ("opening", "arrival")
MAX_WEIGHT = 1e6  # as sim.config.build.MAX_WEIGHT


def day_start(c: dict, procedures: tuple[Procedure, ...], calendar: CalendarSpec, policy: DeskPolicy,
              end: dt.date, check_range: Callable
              ) -> tuple[BeforeOpening, Booking, tuple[tuple[float, ...], ...], DeskPolicy]:
    """The door arrivals, the booking, each procedure's hour weights (() without group profiles)
    and the desk policy with the booked citizens' service, from the composed config ``c``."""
    demand = c["scenario"]["demand"]
    door = _before_opening(demand["before_opening"], calendar, check_range)
    hours = _group_hour_weights(demand["group_hour_weights"], c["desks"]["groups"]["fields"], procedures,
                                calendar, tuple(float(w) for w in demand["hour_weights"]), check_range)
    booking, booked_first = _booking(c["desks"]["booking"], end, check_range)
    return door, booking, hours, dataclasses.replace(policy, booked_first=booked_first)


def _before_opening(d: dict, calendar: CalendarSpec, check_range: Callable) -> BeforeOpening:
    key = "scenario.demand.before_opening"
    # a door arrival comes on its own day: the window fits between midnight and the earliest opening
    earliest = min(s for s, _ in (*calendar.sessions, *calendar.saturday_sessions))
    for share, window in (("share", "window_minutes"), ("centre_share", "centre_window_minutes")):
        check_range(d[share], f"{key}.{share}", 0.0, 1.0)
        check_range(d[window], f"{key}.{window}", 0.0, MINUTES_PER_DAY, above=True)
        if d[share] > 0 and calendar.always_open:
            raise ConfigError(f"{key}.{share}", "the calendar is always open: nobody can come before opening")
        if d[share] > 0 and d[window] > earliest:
            raise ConfigError(f"{key}.{window}", f"{d[window]:g} minutes is longer than from midnight to the "
                                                 f"earliest opening ({earliest // 60:02d}:{earliest % 60:02d})")
    if d["patience_from"] not in PATIENCE_FROM:
        raise ConfigError(f"{key}.patience_from", f"unknown value {d['patience_from']!r}; choose one of "
                                                  f"{', '.join(PATIENCE_FROM)}")
    return BeforeOpening(float(d["share"]), float(d["window_minutes"]), float(d["centre_share"]),
                         float(d["centre_window_minutes"]), d["patience_from"] == "opening")


def _group_hour_weights(profiles: dict, fields: dict, procedures: tuple[Procedure, ...], calendar: CalendarSpec,
                        default: tuple[float, ...], check_range: Callable) -> tuple[tuple[float, ...], ...]:
    """Each procedure's hour weights: its group's profile if it has one, else ``default``.

    Why one function: its branches are the key's checks (known fields, a field in one group only,
    one weight per hour, finite and not all zero), each naming the key where it fails."""
    if not profiles:
        return ()
    key = "scenario.demand.group_hour_weights"
    known = sorted({p.field for p in procedures})
    owner: dict[str, str] = {}
    for name, group_fields in fields.items():
        for f in group_fields:
            if f not in known:
                raise ConfigError(f"desks.groups.fields.{name}",
                                  f"unknown field {f!r} (the catalogue's fields: {', '.join(known)})")
            owner.setdefault(f, name)
    general = [name for name, group_fields in fields.items() if not group_fields]
    open_hours = {h for s, e in calendar.sessions for h in range(s // 60, math.ceil(e / 60))}
    weights: dict[str, tuple[float, ...]] = {}
    for name, hours in profiles.items():
        if name not in fields:
            raise ConfigError(f"{key}.{name}", f"unknown counter group {name!r} (the groups of desks.groups.fields: "
                                               f"{', '.join(fields)})")
        if len(hours) != 24:
            raise ConfigError(f"{key}.{name}", f"needs 24 non-negative weights, one per clock hour; got {len(hours)}")
        for h, w in enumerate(hours):
            check_range(w, f"{key}.{name}[{h}]", 0, MAX_WEIGHT)
        if not calendar.always_open and sum(hours[h] for h in open_hours) <= 0:
            raise ConfigError(f"{key}.{name}", "every open hour has weight 0: the group's citizens could not come")
        weights[name] = tuple(float(w) for w in hours)
    group_of = [owner.get(p.field, general[0] if general else "") for p in procedures]
    return tuple(weights.get(g, default) for g in group_of)


def _booking(d: dict, end: dt.date, check_range: Callable) -> tuple[Booking, bool]:
    key = "desks.booking"
    check_range(d["share"], f"{key}.share", 0.0, 1.0)
    check_range(d["slot_minutes"], f"{key}.slot_minutes", 0.0, MINUTES_PER_DAY, above=True)
    if d["serve"] not in BOOKED_SERVICE:
        raise ConfigError(f"{key}.serve", f"unknown value {d['serve']!r}; choose one of {', '.join(BOOKED_SERVICE)}")
    try:
        start = dt.date.fromisoformat(str(d["start"]))
    except ValueError:
        raise ConfigError(f"{key}.start", f"{d['start']!r} is not a valid date YYYY-MM-DD") from None
    enabled = bool(d["enabled"])
    if enabled and d["share"] > 0 and start > end:
        raise ConfigError(f"{key}.start", f"booking starts on {start}, after period.end {end}: nobody in the "
                                          "period could book (move the period or the start)")
    return Booking(enabled, float(d["share"]), start, float(d["slot_minutes"])), enabled and d["serve"] == "priority"
