"""Processing officers from a documented allocation: the city's positions, the share of them who
process records, spread over the units by expected workload; and a table of per-unit overrides.

A unit's expected workload is its expected records a day times the mean staff effort of a record
of its kind's procedure mix, by field (:func:`field_effort`); a department's is the part of it that
falls to the fields it owns (:func:`department_effort`). The same arithmetic, with each
department's breadth penalty, gives its expected offered load (:mod:`sim.analysis.offered_load`).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from sim.errors import ConfigError
from sim.model.calendar import CalendarSpec, WorkCalendar
from sim.model.catalogue import Procedure
from sim.model.structures import Department, Structure, split_with_floor

# The kinds of node the city total is spread over: the 126 wards and communes. The City Centre's
# branches (kind "centre") are staffed explicitly, outside the units' positions.
ALLOCATED_KINDS = ("ward", "commune")
TABLE_KEY = "staff.table"
TABLE_COLUMNS = ("slug", "department", "staff")


def field_effort(procedures: Iterable[Procedure], kind: str) -> dict[str, float]:
    """Expected staff minutes per record of a unit of ``kind``, by field: the sum over the field's
    procedures of their share of the kind's records times their mean effort."""
    effort: dict[str, float] = {}
    for p in procedures:
        effort[p.field] = effort.get(p.field, 0.0) + p.share.get(kind, 0.0) * p.effort_minutes.mean
    return effort


def department_effort(department: Department, effort_by_field: dict[str, float]) -> float:
    """Expected staff minutes per record of the unit that fall to ``department``: the catalogued
    effort of the fields it owns. The breadth penalty is left out on purpose: it is a what-if on
    how wide departments work, not a workload the city staffs for, so it slows wide departments
    rather than drawing officers to them."""
    return sum(effort_by_field.get(f, 0.0) for f in department.fields)


def unit_effort(structure: Structure, effort_by_field: dict[str, float]) -> float:
    """Expected staff minutes per record of a unit working under ``structure``."""
    return sum(department_effort(d, effort_by_field) for d in structure.departments)


def session_minutes_per_day(spec: CalendarSpec, start: dt.date, end: dt.date) -> float:
    """An officer's session minutes (working time) over the period from ``start`` to ``end``, per
    calendar day: what an offered load divides a department's expected minutes a day by."""
    days = (end - start).days + 1
    calendar = WorkCalendar(spec, start, days, tail_days=0)
    return float(np.subtract(calendar.session_end, calendar.session_start).sum()) / days


def staff_for_load(work_minutes_per_day: float, minutes_per_day: float, design_load: float, key: str,
                   high: int) -> int:
    """The fewest officers (at least one) whose offered load on ``work_minutes_per_day`` of expected
    work is at most ``design_load``; ConfigError for ``key`` when it takes more than ``high``."""
    if minutes_per_day <= 0:
        raise ConfigError(key, "the calendar has no working time in the period to staff for")
    needed = max(1, math.ceil(work_minutes_per_day / (design_load * minutes_per_day) - 1e-9))
    if needed > high:
        raise ConfigError(key, f"{needed:,} officers would be needed for the design load; at most {high:,}")
    return needed


@dataclass(frozen=True)
class Claim:
    """One unit's claim on the city's processing officers."""

    slug: str
    workload: float  # expected staff minutes a day
    minimum: int  # the floor: officers it gets whatever its workload


def allocate(total: int, claims: list[Claim]) -> dict[str, int]:
    """``total`` officers over the claims in proportion to workload, each at least its minimum,
    rounded by largest remainder so that they sum to ``total`` exactly (the caller checks that
    ``total`` covers the minimums)."""
    counts = split_with_floor(total, [c.workload for c in claims], [c.minimum for c in claims])
    return {c.slug: n for c, n in zip(claims, counts)}


def read_staff_table(path: str, departments_of: Callable[[str], tuple[str, ...] | None],
                     high: int) -> dict[str, dict[str, int]]:
    """Per-unit staff from a CSV table with columns slug, department, staff (one row per
    department overridden). ``departments_of(slug)`` gives a unit's departments, or None for an
    unknown slug. Any problem raises :class:`ConfigError` for ``staff.table`` naming the file, the
    line and the column."""
    file = Path(path)
    if not file.is_file():
        raise ConfigError(TABLE_KEY, f"{path}: no such file")
    table: dict[str, dict[str, int]] = {}
    lines: dict[tuple[str, str], int] = {}
    try:
        with open(file, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None:
                raise ConfigError(TABLE_KEY, f"{path}: the file is empty (a header row slug,department,staff is needed)")
            missing = [c for c in TABLE_COLUMNS if c not in reader.fieldnames]
            if missing:
                raise ConfigError(TABLE_KEY, f"{path}: no column {', '.join(map(repr, missing))} "
                                             f"(the columns needed: {', '.join(TABLE_COLUMNS)})")
            for raw in reader:
                line = reader.line_num
                where = f"{path}: line {line}"
                if None in raw:
                    raise ConfigError(TABLE_KEY, f"{where}: more fields than the header has columns")
                slug = (raw["slug"] or "").strip()
                names = departments_of(slug)
                if names is None:
                    raise ConfigError(TABLE_KEY, f"{where}: column 'slug': unknown unit slug {slug!r}")
                department = (raw["department"] or "").strip()
                if department not in names:
                    raise ConfigError(TABLE_KEY, f"{where}: column 'department': unknown department {department!r} "
                                                 f"of unit {slug} (its departments: {', '.join(names)})")
                if (slug, department) in lines:
                    raise ConfigError(TABLE_KEY, f"{where}: {slug} {department} is already given on line "
                                                 f"{lines[slug, department]}")
                lines[slug, department] = line
                text = (raw["staff"] or "").strip()
                try:
                    staff = int(text)
                except ValueError:
                    raise ConfigError(TABLE_KEY, f"{where}: column 'staff': {text!r} is not a whole number") from None
                if not 1 <= staff <= high:
                    raise ConfigError(TABLE_KEY, f"{where}: column 'staff': must be between 1 and {high:,}, got {staff:,}")
                table.setdefault(slug, {})[department] = staff
    except UnicodeDecodeError:
        raise ConfigError(TABLE_KEY, f"{path}: not UTF-8 text") from None
    except csv.Error as exc:
        raise ConfigError(TABLE_KEY, f"{path}: not a readable CSV table ({exc})") from None
    except OSError as exc:
        raise ConfigError(TABLE_KEY, f"{path}: cannot be read ({exc.strerror or exc})") from None
    return table
